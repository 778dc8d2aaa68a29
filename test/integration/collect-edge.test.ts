import { deflateSync, gzipSync } from 'node:zlib'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { beforeEach, describe, expect, it } from 'vitest'
import { inMemoryConsentStore } from '#shared/adapters/in-memory-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { Dispatch, VendorMessage } from '#shared/delivery/message.ts'
import type { ClientError } from '#shared/http/errors.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'

const PSEUDONYM_KEY = 'collect-edge-pseudonym-key'
const WRITE_KEY = 'edge-write-key-1'
const OTHER_KEY = 'edge-write-key-2'
const ORIGIN = 'https://www.example.com'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const VISITOR = 'granted-visitor'

const config = parseConfig({
  sites: [
    { id: 'example', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] },
    { id: 'other', writeKeys: [OTHER_KEY], allowedOrigins: ['https://other.example'] },
  ],
  vendors: { ga4: { enabled: true, measurementId: 'G-TEST123' } },
})

describe('collect handler at the edge: routes, write keys, compressed bodies, CORS', () => {
  let queued: Array<{ vendor: string; message: VendorMessage }>
  let decisions: DecisionRecord[]
  let errors: unknown[]
  let refusals: ClientError[]
  let handler: ReturnType<typeof createCollectHandler>

  const call = (event: APIGatewayProxyEventV2) => handler(event, lambdaContext())
  const post = (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
    extra: { query?: Record<string, string>; isBase64Encoded?: boolean } = {},
  ) =>
    call(
      apiEvent({
        method: 'POST',
        path,
        body,
        ...extra,
        headers: {
          authorization: basicAuthorization(WRITE_KEY),
          origin: ORIGIN,
          'user-agent': BROWSER_UA,
          ...headers,
        },
      }),
    )
  const jsonOf = (response: { body?: string }) => JSON.parse(String(response.body))

  beforeEach(async () => {
    queued = []
    decisions = []
    errors = []
    refusals = []
    const consent = inMemoryConsentStore()
    for (const site of ['example', 'other'])
      await consent.record({
        consentKey: consentKey(PSEUDONYM_KEY, site, VISITOR),
        purposes: { analytics: true, marketing: false },
        policyVersion: '2018-05',
        receiptId: `receipt-${site}`,
        updatedAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      })
    const dispatch: Dispatch = {
      enqueue: async (vendor, messages) => {
        for (const message of messages) queued.push({ vendor, message })
      },
    }
    handler = createCollectHandler({
      config,
      consent,
      dispatch,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: () => new Date(),
      onDecision: (decision) => decisions.push(decision),
      reportError: (error) => errors.push(error),
      reportPixelRefusal: (error) => refusals.push(error),
    })
  })

  describe('analytics.js group, alias and screen routes', () => {
    const calls = [
      { path: '/v1/g', type: 'group', body: { groupId: 'acme', traits: { plan: 'pro' } } },
      { path: '/v1/group', type: 'group', body: { groupId: 'acme' } },
      { path: '/v1/a', type: 'alias', body: { previousId: 'old-id', userId: 'user-1' } },
      { path: '/v1/alias', type: 'alias', body: { previousId: 'old-id', userId: 'user-1' } },
      { path: '/v1/s', type: 'screen', body: { name: 'Home' } },
      { path: '/v1/screen', type: 'screen', body: { name: 'Home' } },
    ]
    for (const { path, type, body } of calls) {
      it(`accepts POST ${path} and skips it with the reason, as in a batch`, async () => {
        const response = await post(path, { ...body, type, anonymousId: VISITOR, messageId: `${type}-1` })
        expect(response.statusCode).toBe(200)
        expect(jsonOf(response)).toEqual({ success: true, accepted: 0, queued: 0, refused: 0, skipped: 1 })
        expect(queued).toEqual([])
        expect(decisions).toEqual([
          { messageId: `${type}-1`, vendor: null, allow: false, reason: `${type} calls are not forwarded` },
        ])
      })
    }

    it('still checks the write key and the origin on a skipped call', async () => {
      const unknown = await post(
        '/v1/g',
        { groupId: 'acme' },
        { authorization: basicAuthorization('nope-123') },
      )
      const foreign = await post('/v1/g', { groupId: 'acme' }, { origin: 'https://evil.example' })
      expect([unknown.statusCode, foreign.statusCode]).toEqual([401, 403])
    })

    it('refuses a body whose type contradicts the route, naming type', async () => {
      const response = await post('/v1/g', { type: 'track', event: 'x', anonymousId: VISITOR })
      expect(response.statusCode).toBe(400)
      expect(jsonOf(response).field).toBe('type')
    })
  })

  describe('write key from the query string', () => {
    const page = { type: 'page', anonymousId: VISITOR }

    it('takes the RudderStack beacon batch: text/plain body, write key only in the query', async () => {
      const body = JSON.stringify({ batch: [page], sentAt: new Date().toISOString() })
      const response = await post(
        '/beacon/v1/batch',
        body,
        { authorization: '', 'content-type': 'text/plain;charset=UTF-8' },
        { query: { writeKey: WRITE_KEY } },
      )
      expect(response.statusCode).toBe(200)
      expect(jsonOf(response)).toEqual({ success: true, accepted: 1, queued: 1, refused: 0, skipped: 0 })
    })

    it('prefers the Authorization header, then the body field, then the query', async () => {
      const siteOf = () => queued.at(-1)?.message.siteId
      await post('/v1/batch', { batch: [page], writeKey: OTHER_KEY }, {}, { query: { writeKey: OTHER_KEY } })
      expect(siteOf()).toBe('example')
      await post(
        '/v1/batch',
        { batch: [page], writeKey: WRITE_KEY },
        { authorization: '' },
        { query: { writeKey: OTHER_KEY } },
      )
      expect(siteOf()).toBe('example')
      await post(
        '/v1/p',
        { anonymousId: VISITOR },
        { authorization: '', origin: 'https://other.example' },
        {
          query: { writeKey: OTHER_KEY },
        },
      )
      expect(siteOf()).toBe('other')
    })

    it('answers 401 naming writeKey for an unknown query key', async () => {
      const response = await post(
        '/v1/batch',
        { batch: [page] },
        { authorization: '' },
        { query: { writeKey: 'x-1' } },
      )
      expect(response.statusCode).toBe(401)
      expect(jsonOf(response).field).toBe('writeKey')
    })
  })

  describe('compressed bodies, as API Gateway hands them over (base64)', () => {
    const batch = JSON.stringify({ batch: [{ type: 'track', event: 'Signed Up', anonymousId: VISITOR }] })
    const compressed = (bytes: Buffer, encoding: string) =>
      post(
        '/v1/batch',
        bytes.toString('base64'),
        { 'content-encoding': encoding, 'content-type': 'application/json' },
        {
          isBase64Encoded: true,
        },
      )

    it('collects a gzip and a deflate batch', async () => {
      const responses = [
        await compressed(gzipSync(batch), 'gzip'),
        await compressed(deflateSync(batch), 'deflate'),
      ]
      expect(responses.map((response) => response.statusCode)).toEqual([200, 200])
      expect(queued).toHaveLength(2)
    })

    it('answers 413 to a zip bomb, 400 to corrupt gzip and 415 to an unknown coding', async () => {
      const bomb = await compressed(gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)), 'gzip')
      const corrupt = await compressed(Buffer.from('definitely not gzip'), 'gzip')
      const unknown = await compressed(Buffer.from(batch), 'br')
      expect([bomb.statusCode, corrupt.statusCode, unknown.statusCode]).toEqual([413, 400, 415])
      expect([jsonOf(bomb).field, jsonOf(corrupt).field, jsonOf(unknown).field]).toEqual([
        'body',
        'body',
        'content-encoding',
      ])
      expect(queued).toEqual([])
      expect(errors).toEqual([])
    })
  })

  describe('CORS on every answer', () => {
    it('gives a configured origin allow-origin and allow-credentials on a 404 (the tag sends its cookies)', async () => {
      const response = await call(
        apiEvent({ method: 'POST', path: '/v1/nowhere', headers: { origin: ORIGIN } }),
      )
      expect(response.statusCode).toBe(404)
      expect(response.headers?.['access-control-allow-origin']).toBe(ORIGIN)
      expect(response.headers?.['access-control-allow-credentials']).toBe('true')
    })

    it('gives a configured origin allow-origin and credentials on 4xx refusals and on success', async () => {
      const responses = [
        await post('/v1/batch', '{not json'),
        await post('/v1/page', { anonymousId: VISITOR }, { authorization: basicAuthorization('unknown-1') }),
        await post('/v1/page', { anonymousId: VISITOR }),
      ]
      expect(responses.map((response) => response.statusCode)).toEqual([400, 401, 200])
      for (const response of responses) {
        expect(response.headers?.['access-control-allow-origin']).toBe(ORIGIN)
        expect(response.headers?.['access-control-allow-credentials']).toBe('true')
      }
    })

    it('gives a foreign origin no CORS headers', async () => {
      const response = await post('/v1/page', { anonymousId: VISITOR }, { origin: 'https://evil.example' })
      expect(response.statusCode).toBe(403)
      expect(response.headers).not.toHaveProperty('access-control-allow-origin')
      expect(response.headers).not.toHaveProperty('access-control-allow-credentials')
    })

    it('answers an event that has no headers at all with a 4xx, not a crash', async () => {
      const event: APIGatewayProxyEventV2 = { ...apiEvent({ method: 'POST', path: '/v1/batch', body: '{}' }) }
      Reflect.deleteProperty(event, 'headers')
      const response = await call(event)
      expect(response.statusCode).toBe(400)
      expect(errors).toEqual([])
    })
  })

  describe('refusals', () => {
    it('refuses Origin: null with 403 naming origin', async () => {
      const response = await post('/v1/page', { anonymousId: VISITOR }, { origin: 'null' })
      expect(response.statusCode).toBe(403)
      expect(jsonOf(response)).toEqual({ error: 'origin not allowed for this site', field: 'origin' })
      expect(queued).toEqual([])
    })

    it('reports a refused pixel as a client refusal, never as an unexpected error', async () => {
      const response = await call(
        apiEvent({
          method: 'GET',
          path: '/p.gif',
          query: { k: 'unknown-key-1', aid: VISITOR },
          headers: { 'user-agent': BROWSER_UA },
        }),
      )
      expect(response.statusCode).toBe(200)
      expect(refusals.map((error) => [error.statusCode, error.field])).toEqual([[401, 'writeKey']])
      expect(errors).toEqual([])
    })
  })

  describe('analytics.js settings (GET /v1/projects/{writeKey}/settings)', () => {
    const settings = (writeKey: string, headers: Record<string, string> = {}, stage?: string) =>
      call(
        apiEvent({
          method: 'GET',
          path: `${stage ? `/${stage}` : ''}/v1/projects/${encodeURIComponent(writeKey)}/settings`,
          headers: { host: 't.example.com', 'x-forwarded-proto': 'https', ...headers },
          ...(stage ? { stage } : {}),
        }),
      )

    it('points the Segment.io integration at this endpoint for a known write key', async () => {
      const response = await settings(WRITE_KEY, { origin: ORIGIN })
      expect(response.statusCode).toBe(200)
      expect(jsonOf(response)).toMatchObject({
        integrations: { 'Segment.io': { apiKey: WRITE_KEY, apiHost: 't.example.com/v1', protocol: 'https' } },
        remotePlugins: [],
        enabledMiddleware: {},
        metrics: { sampleRate: 0 },
      })
      expect(Object.keys(jsonOf(response).integrations)).toEqual(['Segment.io'])
      expect(response.headers?.['cache-control']).toBe('public, max-age=300')
      expect(response.headers?.['access-control-allow-origin']).toBe(ORIGIN)
      expect(response.headers?.vary).toBe('Origin')
    })

    it('keeps the stage in apiHost and the scheme the request came with', async () => {
      const response = await settings(WRITE_KEY, { 'x-forwarded-proto': 'http' }, 'prod')
      expect(jsonOf(response).integrations['Segment.io']).toMatchObject({
        apiHost: 't.example.com/prod/v1',
        protocol: 'http',
      })
    })

    it('answers 404 JSON, not cacheable, for an unknown or undecodable write key', async () => {
      for (const key of ['unknown-key-1', '%E0%A4%A']) {
        const response = await call(
          apiEvent({ method: 'GET', path: `/v1/projects/${key}/settings`, headers: { origin: ORIGIN } }),
        )
        expect(response.statusCode).toBe(404)
        expect(jsonOf(response)).toEqual({ error: 'source settings not found' })
        expect(response.headers?.['cache-control']).toBe('no-store')
        expect(response.headers?.['access-control-allow-origin']).toBe(ORIGIN)
      }
    })
  })

  describe('RudderStack JS v3 source config (GET /sourceConfig)', () => {
    const sourceConfig = (query: Record<string, string>, headers: Record<string, string> = {}) =>
      call(apiEvent({ method: 'GET', path: '/sourceConfig', query, headers: { origin: ORIGIN, ...headers } }))

    it('answers a known write key with what the SDK checks before it starts, and nothing to load', async () => {
      // As the SDK asks: its own query parameters, the write key in the query and as Basic auth.
      const response = await sourceConfig(
        { p: 'npm', v: '3.34.1', build: 'modern', writeKey: WRITE_KEY, lockIntegrationsVersion: 'true' },
        { authorization: basicAuthorization(WRITE_KEY) },
      )
      expect(response.statusCode).toBe(200)
      const { source } = jsonOf(response)
      // isValidSourceConfig in @rudderstack/analytics-js: source.id, source.config, source.destinations[].
      expect(typeof source.id).toBe('string')
      expect(source.enabled).toBe(true)
      expect(source.destinations).toEqual([])
      expect(source.config.statsCollection).toEqual({
        errors: { enabled: false },
        metrics: { enabled: false },
      })
      expect(response.headers?.['access-control-allow-origin']).toBe(ORIGIN)
    })

    it('answers 404 for an unknown or missing write key', async () => {
      const unknown = await sourceConfig({ writeKey: 'unknown-key-1' })
      const missing = await sourceConfig({})
      expect([unknown.statusCode, missing.statusCode]).toEqual([404, 404])
      expect(jsonOf(unknown)).toEqual({ error: 'source config not found' })
    })
  })
})
