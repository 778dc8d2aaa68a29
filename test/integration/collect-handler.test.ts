import fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import type { Dispatch, VendorMessage } from '#shared/delivery/message.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'

const TABLE = 'consent-collect-test'
const PSEUDONYM_KEY = 'collect-test-pseudonym-key'
const WRITE_KEY = 'site-write-key-1'
const ORIGIN = 'https://www.example.com'
const CLIENT_IP = '203.0.113.77'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

const config = parseConfig({
  sites: [{ id: 'example', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-TEST123' } },
})

describe('collect handler (real dynalite consent, recorded queue)', () => {
  let dynamo: EmbeddedDynamo
  let store: ConsentStore
  let queued: Array<{ vendor: VendorId; message: VendorMessage }>
  let decisions: DecisionRecord[]
  let errors: unknown[]
  let handler: ReturnType<typeof createCollectHandler>

  const grant = (visitorId: string, analytics: boolean, marketing = false) =>
    store.record({
      consentKey: consentKey(PSEUDONYM_KEY, 'example', visitorId),
      purposes: { analytics, marketing },
      policyVersion: '2018-05',
      receiptId: `receipt-${visitorId}`,
      updatedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    })

  const post = (path: string, body: unknown, headers: Record<string, string> = {}, sourceIp = CLIENT_IP) =>
    handler(
      apiEvent({
        method: 'POST',
        path,
        body,
        sourceIp,
        headers: {
          authorization: basicAuthorization(WRITE_KEY),
          origin: ORIGIN,
          'user-agent': BROWSER_UA,
          ...headers,
        },
      }),
      lambdaContext(),
    )

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    store = dynamoConsentStore(documentClient(dynamo.clientConfig), TABLE)
    await grant('granted-visitor', true)
    await grant('marketing-visitor', true, true)
    await grant('refusing-visitor', false)
  })
  afterAll(() => dynamo.close())

  beforeEach(() => {
    queued = []
    decisions = []
    errors = []
    const dispatch: Dispatch = {
      enqueue: async (vendor, messages) => {
        for (const message of messages) queued.push({ vendor, message })
      },
    }
    handler = createCollectHandler({
      config,
      consent: store,
      dispatch,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: () => new Date(),
      onDecision: (decision) => decisions.push(decision),
      reportError: (error) => errors.push(error),
    })
  })

  it('queues a minimised GA4 message for a consented visitor and keeps the client messageId', async () => {
    const response = await post('/v1/track', {
      anonymousId: 'granted-visitor',
      event: 'Signed Up',
      messageId: 'msg-42',
    })
    expect(response.statusCode).toBe(200)
    expect(queued).toHaveLength(1)
    const [entry] = queued
    expect(entry?.vendor).toBe('ga4')
    expect(entry?.message.messageId).toBe('msg-42')
    expect(JSON.stringify(entry?.message)).not.toContain('granted-visitor')
    expect(JSON.stringify(entry?.message)).not.toContain(CLIENT_IP)
  })

  it('takes analytics.js one-letter routes with the write key in a text/plain body', async () => {
    const body = JSON.stringify({ anonymousId: 'granted-visitor', event: 'Clicked', writeKey: WRITE_KEY })
    const single = await post('/v1/t', body, { authorization: '', 'content-type': 'text/plain' })
    const batch = await post(
      '/v1/b',
      JSON.stringify({ writeKey: WRITE_KEY, batch: [{ type: 'page', anonymousId: 'granted-visitor' }] }),
      {
        authorization: '',
        'content-type': 'text/plain',
      },
    )
    expect([single.statusCode, batch.statusCode]).toEqual([200, 200])
    expect(queued).toHaveLength(2)
  })

  it('skips group, alias and screen calls in a batch, says so, and still collects the rest', async () => {
    const batch = [
      { type: 'group', anonymousId: 'granted-visitor', groupId: 'acme', messageId: 'group-1' },
      { type: 'page', anonymousId: 'granted-visitor', messageId: 'page-1' },
    ]
    const response = await post('/v1/batch', { batch })
    expect(JSON.parse(String(response.body))).toEqual({
      success: true,
      accepted: 1,
      queued: 1,
      skipped: 1,
      refused: 0,
    })
    expect(decisions).toContainEqual({
      messageId: 'group-1',
      vendor: null,
      allow: false,
      reason: 'group calls are not forwarded',
    })
  })

  it('queues nothing for a visitor without stored consent, and records why', async () => {
    const response = await post('/v1/page', { anonymousId: 'stranger', name: 'Home' })
    expect(response.statusCode).toBe(200)
    expect(queued).toEqual([])
    expect(decisions).toContainEqual(
      expect.objectContaining({ vendor: 'ga4', allow: false, reason: 'no stored consent for analytics' }),
    )
  })

  it('queues nothing for a visitor who refused analytics', async () => {
    await post('/v1/page', { anonymousId: 'refusing-visitor' })
    expect(queued).toEqual([])
  })

  it('lets consent carried in the event narrow stored consent', async () => {
    const body = {
      anonymousId: 'granted-visitor',
      context: { consent: { categoryPreferences: { analytics: false } } },
    }
    await post('/v1/page', body)
    expect(queued).toEqual([])
  })

  it('sets GA4 ad signals from the marketing purpose, and Sec-GPC denies them', async () => {
    await post('/v1/page', { anonymousId: 'marketing-visitor' })
    await post('/v1/page', { anonymousId: 'marketing-visitor' }, { 'sec-gpc': '1' })
    const consents = queued.map(
      ({ message }) => (message.payload as { consent: Record<string, string> }).consent,
    )
    expect(consents).toEqual([
      { ad_user_data: 'GRANTED', ad_personalization: 'GRANTED' },
      { ad_user_data: 'DENIED', ad_personalization: 'DENIED' },
    ])
  })

  it('does not forward bots', async () => {
    await post(
      '/v1/page',
      { anonymousId: 'granted-visitor' },
      { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' },
    )
    expect(queued).toEqual([])
    expect(decisions).toContainEqual(
      expect.objectContaining({ allow: false, reason: 'bot or automated client' }),
    )
  })

  it('rejects an unknown write key with 401 naming the field', async () => {
    const response = await post(
      '/v1/page',
      { anonymousId: 'a' },
      { authorization: basicAuthorization('wrong-key-123') },
    )
    expect(response.statusCode).toBe(401)
    expect(JSON.parse(String(response.body))).toEqual({ error: 'unknown write key', field: 'writeKey' })
  })

  it('rejects a foreign origin with 403', async () => {
    const response = await post('/v1/page', { anonymousId: 'a' }, { origin: 'https://evil.example' })
    expect(response.statusCode).toBe(403)
    expect(JSON.parse(String(response.body)).field).toBe('origin')
  })

  it('rejects an oversized event with 413 and a bad field with 400 naming it', async () => {
    const big = await post('/v1/track', {
      anonymousId: 'a',
      event: 'Big',
      properties: { blob: 'x'.repeat(40_000) },
    })
    expect(big.statusCode).toBe(413)
    const bad = await post('/v1/batch', { batch: [{ type: 'track', anonymousId: 'a' }] })
    expect(bad.statusCode).toBe(400)
    expect(JSON.parse(String(bad.body)).field).toBe('batch[0].event')
  })

  it('answers CORS headers for the allowed origin, also on errors', async () => {
    const response = await post('/v1/batch', { batch: [] })
    expect(response.headers?.['access-control-allow-origin']).toBe(ORIGIN)
  })

  it('answers the pixel with a 1×1 GIF whatever the query, and collects a valid one', async () => {
    const pixel = (query: Record<string, string>) =>
      handler(
        apiEvent({ method: 'GET', path: '/p.gif', query, headers: { 'user-agent': BROWSER_UA } }),
        lambdaContext(),
      )
    const good = await pixel({ k: WRITE_KEY, aid: 'granted-visitor', url: 'https://www.example.com/landing' })
    const bad = await pixel({ k: 'nope' })
    for (const response of [good, bad]) {
      expect(response.statusCode).toBe(200)
      expect(response.headers?.['content-type']).toBe('image/gif')
      expect(response.headers?.['cache-control']).toBe('no-store')
      expect(Buffer.from(String(response.body), 'base64').subarray(0, 6).toString()).toBe('GIF89a')
    }
    expect(queued).toHaveLength(1)
  })

  it('checks a pixel’s Referer in place of the Origin an <img> does not send', async () => {
    const query = { k: WRITE_KEY, aid: 'granted-visitor' }
    const fromReferer = (referer: string) =>
      handler(
        apiEvent({ method: 'GET', path: '/p.gif', query, headers: { 'user-agent': BROWSER_UA, referer } }),
        lambdaContext(),
      )
    await fromReferer('https://evil.example/landing')
    expect(queued).toEqual([])
    expect(errors).toContainEqual(expect.objectContaining({ statusCode: 403, field: 'origin' }))
    await fromReferer(`${ORIGIN}/landing`)
    expect(queued).toHaveLength(1)
  })

  it('never answers 5xx to any body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((value) => JSON.stringify({ batch: [value] })),
        ),
        async (body) => {
          const response = await post('/v1/batch', body)
          expect(response.statusCode).toBeLessThan(500)
        },
      ),
      { numRuns: 150 },
    )
    expect(errors).toEqual([])
  })
})
