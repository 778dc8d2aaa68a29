import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { Purpose } from '#shared/consent/model.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { HttpResult } from '#shared/http/response.ts'
import { visitorFromRef } from '#shared/identity/visitor-ref.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { Ga4Payload } from '#shared/vendors/ga4/payload.ts'
import { staticVendorSettings } from '#shared/vendors/runtime-settings.ts'
import { composeCollect } from '../../functions/collect/compose.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { composeConsent } from '../../functions/consent/compose.ts'
import { createConsentHandler } from '../../functions/consent/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { type ApiEventInput, apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'

/**
 * Issue 11, privacy §3.1: the proxy's own visitor cookie (tw_id) and session cookie (tw_s), set by the
 * consent and collect functions only while the visitor allows analytics or marketing; sessions for
 * clients that bring their own ids kept next to their consent. Real handlers, real dynalite.
 */
const CONSENT_TABLE = 'cookies-consent'
const CONFIG_TABLE = 'cookies-config'
const PSEUDONYM_KEY = 'cookie-test-pseudonym-key-0123'
const WRITE_KEY = 'shop-write-key-1'
const STRICT_KEY = 'strict-write-key-1'
const SERVER_KEY = 'shop-server-key-0123456789abcdef'
const ORIGIN = 'https://www.shop.example'
const STRICT_ORIGIN = 'https://www.strict.example'
const DAY_SECONDS = 24 * 60 * 60
const MINUTE_MS = 60 * 1000

const config = parseConfig({
  policyVersion: '2024-05',
  sites: [
    { id: 'shop', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN], serverKeys: [SERVER_KEY] },
    {
      id: 'strict',
      writeKeys: [STRICT_KEY],
      allowedOrigins: [STRICT_ORIGIN],
      cookies: { visitorDays: 30, sessionMinutes: 30 },
      consent: { browserIds: 'cookie-only' },
    },
  ],
  vendors: { ga4: { enabled: true, measurementId: 'G-TEST123' } },
})

let dynamo: EmbeddedDynamo
let client: ReturnType<typeof documentClient>
let clock: Date
let queued: VendorMessage[]
let errors: unknown[]
let counter = 0

const consentHandler = () =>
  createConsentHandler({
    ...composeConsent({
      config,
      dynamo: client,
      consentTable: CONSENT_TABLE,
      configTable: CONFIG_TABLE,
      pseudonymKey: PSEUDONYM_KEY,
      dispatch: { enqueue: async () => {} },
    }),
    now: () => clock,
  })

const collectHandler = () =>
  createCollectHandler({
    ...composeCollect({
      config,
      dynamo: client,
      tables: { consent: CONSENT_TABLE, config: CONFIG_TABLE, idempotency: CONFIG_TABLE },
      dispatch: {
        enqueue: async (_vendor, messages) => {
          queued.push(...messages)
        },
      },
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      report: { reportError: (error) => errors.push(error) },
    }),
    vendorSettings: staticVendorSettings(config.vendors),
    idempotency: undefined,
    now: () => clock,
  })

/** One browser: the cookies the proxy's answers set, sent back on every request, as a browser would. */
function browserJar() {
  const jar = new Map<string, string>()
  return {
    take(response: HttpResult): void {
      const setCookies = [...(response.cookies ?? [])]
      const header = response.headers?.['set-cookie']
      if (typeof header === 'string') setCookies.push(header)
      for (const setCookie of setCookies) {
        const [pair = ''] = setCookie.split(';', 1)
        const separator = pair.indexOf('=')
        const name = pair.slice(0, separator)
        const value = pair.slice(separator + 1)
        if (/Max-Age=0(;|$)/.test(setCookie) || value === '') jar.delete(name)
        else jar.set(name, value)
      }
    },
    get: (name: string) => jar.get(name),
    set: (name: string, value: string) => jar.set(name, value),
    cookies: () => [...jar].map(([name, value]) => `${name}=${value}`),
  }
}
type Jar = ReturnType<typeof browserJar>

async function send(
  handler: ReturnType<typeof consentHandler> | ReturnType<typeof collectHandler>,
  input: ApiEventInput,
  jar?: Jar,
): Promise<HttpResult> {
  const cookies = jar?.cookies() ?? []
  const response = await handler(
    apiEvent({ ...input, ...(cookies.length > 0 ? { cookies } : {}) }),
    lambdaContext(),
  )
  jar?.take(response)
  return response
}

const browserHeaders = (key = WRITE_KEY, origin = ORIGIN) => ({
  authorization: basicAuthorization(key),
  origin,
})

const putConsent = (jar: Jar | undefined, body: object, key = WRITE_KEY, origin = ORIGIN) =>
  send(
    consentHandler(),
    { method: 'PUT', path: '/v1/consent', body, headers: browserHeaders(key, origin) },
    jar,
  )

const accept = (jar: Jar, purposes: Partial<Record<Purpose, boolean>> = { analytics: true }) =>
  putConsent(jar, { purposes })

/** Accepts analytics, and answers the id the browser was given: it is only in the HttpOnly cookie. */
async function acceptedId(jar: Jar): Promise<string | undefined> {
  await accept(jar)
  return jar.get('tw_id')
}

const page = (jar: Jar | undefined, event: object = {}) =>
  send(collectHandler(), { method: 'POST', path: '/v1/page', body: event, headers: browserHeaders() }, jar)

const jsonOf = (response: HttpResult): Record<string, unknown> => JSON.parse(response.body ?? '{}')

const sessionIds = () => queued.map((message) => (message.payload as Ga4Payload).event.params.session_id)
const sessionNumbers = () =>
  queued.map((message) => (message.payload as Ga4Payload).event.params.session_number)

async function partition(siteId: string, anonymousId: string) {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: CONSENT_TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': consentKey(PSEUDONYM_KEY, siteId, anonymousId) },
    }),
  )
  return Items ?? []
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo([CONSENT_TABLE, CONFIG_TABLE])
  client = documentClient(dynamo.clientConfig)
})

beforeEach(() => {
  clock = new Date('2026-03-02T09:10:00.000Z')
  queued = []
  errors = []
})

afterAll(async () => {
  client.destroy()
  await dynamo.close()
})

describe('PUT /v1/consent from a browser that names no id', () => {
  it('mints a random id and sets it as tw_id, HttpOnly, Secure, SameSite=Lax, Path=/, for the configured days', async () => {
    const jar = browserJar()
    const response = await accept(jar)

    expect(response.statusCode).toBe(200)
    const body = jsonOf(response)
    expect(body.purposes).toEqual({ analytics: true, marketing: false })
    const id = jar.get('tw_id')
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    // The page's scripts never see the id: it is not in the answer.
    expect(body).not.toHaveProperty('anonymousId')
    expect(response.cookies).toEqual([
      `tw_id=${id}; Max-Age=${395 * DAY_SECONDS}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    ])
    // The visitor token of issue 10 rides along as before.
    expect(response.headers?.['set-cookie']).toMatch(/^tw_vt=v1\./)
    expect(typeof body.ref).toBe('string')
    expect(visitorFromRef(PSEUDONYM_KEY, 'shop', String(body.ref))).toBe(id)
    expect(response.headers?.['access-control-allow-credentials']).toBe('true')
  })

  it('gives two browsers two different ids', async () => {
    const first = await acceptedId(browserJar())
    const second = await acceptedId(browserJar())
    expect(first).not.toBe(second)
  })

  it('keeps the cookie id on later calls and adds no history entry for an unchanged decision', async () => {
    const jar = browserJar()
    const id = await acceptedId(jar)
    for (let load = 0; load < 3; load++) {
      clock = new Date(clock.getTime() + MINUTE_MS)
      const again = await accept(jar)
      expect(again.statusCode).toBe(200)
      expect(jar.get('tw_id')).toBe(id)
    }
    const items = await partition('shop', String(id))
    expect(items.filter((item) => String(item.sk).startsWith('history#'))).toHaveLength(1)
  })

  it('sends no ref without analytics, and a changed decision is recorded', async () => {
    const jar = browserJar()
    const id = String(await acceptedId(jar))
    const marketingOnly = await accept(jar, { marketing: true })
    expect(jsonOf(marketingOnly)).not.toHaveProperty('ref')
    expect(jsonOf(marketingOnly).purposes).toEqual({ analytics: false, marketing: true })
    const items = await partition('shop', id)
    expect(items.filter((item) => String(item.sk).startsWith('history#'))).toHaveLength(2)
  })

  it('a refusal of both records it for the cookie id and clears tw_id and tw_s', async () => {
    const jar = browserJar()
    const id = String(await acceptedId(jar))
    await page(jar)
    expect(jar.get('tw_s')).toBeDefined()

    const refusal = await putConsent(jar, { purposes: { analytics: false, marketing: false } })

    expect(refusal.statusCode).toBe(200)
    expect(refusal.cookies).toEqual([
      'tw_id=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      'tw_s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    ])
    expect(jsonOf(refusal)).not.toHaveProperty('ref')
    const current = (await partition('shop', id)).find((item) => item.sk === 'current')
    expect(current?.purposes).toEqual({ analytics: false, marketing: false })
    expect(jar.get('tw_id')).toBeUndefined()
  })

  it('a refusal with no id stores nothing and sets no cookie (default deny)', async () => {
    const before = (await client.send(new QueryCommand(scanAll()))).Count
    const refusal = await putConsent(undefined, { purposes: {} })

    expect(refusal.statusCode).toBe(200)
    expect(jsonOf(refusal)).toEqual({ purposes: { analytics: false, marketing: false } })
    expect(refusal.cookies).toBeUndefined()
    expect(refusal.headers).not.toHaveProperty('set-cookie')
    expect((await client.send(new QueryCommand(scanAll()))).Count).toBe(before)
  })

  it('ignores a malformed tw_id and mints a new id', async () => {
    const jar = browserJar()
    jar.set('tw_id', 'not an id!')
    await accept(jar)
    expect(jar.get('tw_id')).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('counts a tw_id only with the proof of its decision: a forged cookie gets a new id, known id or not', async () => {
    const known = String(await acceptedId(browserJar()))
    const answers = []
    for (const claimed of [known, 'AAAAAAAAAAAAAAAAAAAAAA']) {
      const forger = browserJar()
      forger.set('tw_id', claimed)
      const response = await accept(forger)
      expect(response.statusCode).toBe(200)
      answers.push(forger.get('tw_id'))
    }
    expect(answers).not.toContain(known)
    expect(answers).not.toContain('AAAAAAAAAAAAAAAAAAAAAA')
    expect(await partition('shop', 'AAAAAAAAAAAAAAAAAAAAAA')).toEqual([])
  })

  it('still requires the id from the server key', async () => {
    const response = await send(consentHandler(), {
      method: 'PUT',
      path: '/v1/consent',
      body: { purposes: { analytics: true } },
      headers: { authorization: `Bearer ${SERVER_KEY}` },
    })
    expect(response.statusCode).toBe(400)
    expect(jsonOf(response)).toMatchObject({ field: 'anonymousId' })
  })
})

/** A query no real key matches: only counts, to show nothing was written. */
function scanAll() {
  return {
    TableName: CONSENT_TABLE,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': 'never-a-key' },
  }
}

describe('revocation and erasure', () => {
  it('DELETE /v1/consent/{id} clears tw_id and tw_s', async () => {
    const jar = browserJar()
    const id = String(await acceptedId(jar))
    await page(jar)
    const revoked = await send(
      consentHandler(),
      { method: 'DELETE', path: `/v1/consent/${id}`, headers: browserHeaders() },
      jar,
    )
    expect(revoked.statusCode).toBe(200)
    expect(revoked.cookies).toEqual([
      'tw_id=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      'tw_s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    ])
    expect(jar.cookies()).toEqual([expect.stringMatching(/^tw_vt=/)])
  })

  it('an erasure clears tw_vt, tw_id and tw_s, and deletes the kept session', async () => {
    const visitor = `own-id-${++counter}`
    const jar = browserJar()
    await putConsent(jar, { anonymousId: visitor, purposes: { analytics: true } })
    await page(undefined, { anonymousId: visitor })
    expect((await partition('shop', visitor)).map((item) => item.sk)).toContain('session')

    const erased = await send(
      consentHandler(),
      {
        method: 'POST',
        path: '/v1/privacy/erase',
        body: { anonymousId: visitor },
        headers: browserHeaders(),
      },
      jar,
    )

    expect(erased.statusCode).toBe(202)
    expect(erased.headers?.['set-cookie']).toMatch(/^tw_vt=; Max-Age=0/)
    expect(erased.cookies).toEqual([
      'tw_id=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      'tw_s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    ])
    expect((await partition('shop', visitor)).map((item) => item.sk)).not.toContain('session')
  })

  it("takes a tag.js page's rights requests for its cookie visitor, who never saw their id", async () => {
    const jar = browserJar()
    const id = String(await acceptedId(jar))
    const privacy = (action: string, body: object, from?: Jar) =>
      send(
        consentHandler(),
        { method: 'POST', path: `/v1/privacy/${action}`, body, headers: browserHeaders() },
        from,
      )

    const exported = await privacy('export', {}, jar)
    expect(exported.statusCode).toBe(200)
    expect(JSON.stringify(jsonOf(exported))).toContain('"analytics":true')
    // Without the cookies there is no visitor to speak of; with a forged tw_id, nobody's data.
    expect(jsonOf(await privacy('export', {}))).toMatchObject({ field: 'anonymousId' })
    const forger = browserJar()
    forger.set('tw_id', id)
    expect((await privacy('export', {}, forger)).statusCode).toBe(404)

    const erased = await privacy('erase', {}, jar)
    expect(erased.statusCode).toBe(202)
    const { erasureId, anonymousId } = jsonOf(erased)
    expect(anonymousId).toBe(id)
    expect(jar.get('tw_id')).toBeUndefined()
    const status = await privacy('erase/status', { anonymousId, erasureId })
    expect(status.statusCode).toBe(200)
    expect((await partition('shop', id)).map((item) => item.sk)).not.toContain('current')
  })
})

describe('collect with the visitor cookie', () => {
  it('takes the visitor id from tw_id when the event names none, and sets tw_s without expiry', async () => {
    const jar = browserJar()
    await accept(jar)
    const response = await page(jar, { properties: { path: '/' } })

    expect(response.statusCode).toBe(200)
    expect(queued).toHaveLength(1)
    const [setSession] = response.cookies ?? []
    expect(setSession).toMatch(
      /^tw_s=[1-9][0-9]{15}\.[0-9]+\.[0-9]+\.1; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(setSession).not.toMatch(/Max-Age|Expires/i)
    expect(response.headers?.['access-control-allow-credentials']).toBe('true')
  })

  it('refuses an event with neither id when the tw_id cookie is missing or malformed, as before', async () => {
    const jar = browserJar()
    jar.set('tw_id', 'x')
    for (const browser of [undefined, jar]) {
      const response = await page(browser)
      expect(response.statusCode).toBe(400)
      expect(jsonOf(response)).toMatchObject({ field: 'anonymousId' })
    }
  })

  it('keeps one session for events within 30 minutes, across the :30 boundary, and starts a new one after 31', async () => {
    const jar = browserJar()
    await accept(jar)
    clock = new Date('2026-03-02T09:20:00.000Z')
    await page(jar)
    clock = new Date('2026-03-02T09:29:59.000Z')
    await page(jar)
    clock = new Date('2026-03-02T09:30:01.000Z')
    await page(jar)
    clock = new Date('2026-03-02T09:59:00.000Z')
    await page(jar)
    clock = new Date('2026-03-02T10:30:01.000Z')
    await page(jar)

    const ids = sessionIds()
    expect(new Set(ids.slice(0, 4)).size).toBe(1)
    expect(ids[4]).not.toBe(ids[0])
    expect(sessionNumbers()).toEqual([1, 1, 1, 1, 2])
  })

  it('gives two visitors in the same minute two different sessions', async () => {
    const first = browserJar()
    const second = browserJar()
    await accept(first)
    await accept(second)
    await page(first)
    await page(second)
    const [one, two] = sessionIds()
    expect(one).not.toBe(two)
    expect(first.get('tw_s')).not.toBe(second.get('tw_s'))
  })

  it('sets no session cookie without consent, and clears the cookies of a browser that may not keep them', async () => {
    const jar = browserJar()
    const id = String(await acceptedId(jar))
    await page(jar)
    // The decision is withdrawn by the backend: the browser still holds both cookies.
    await send(consentHandler(), {
      method: 'PUT',
      path: '/v1/consent',
      body: { anonymousId: id, purposes: {} },
      headers: { authorization: `Bearer ${SERVER_KEY}` },
    })

    const response = await page(jar)

    expect(response.statusCode).toBe(200)
    expect(response.cookies).toEqual([
      'tw_id=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      'tw_s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    ])
    expect(jar.cookies()).toEqual([expect.stringMatching(/^tw_vt=/)])
  })
})

describe('sessions of clients that bring their own ids', () => {
  const consentFor = (visitor: string) =>
    send(consentHandler(), {
      method: 'PUT',
      path: '/v1/consent',
      body: { anonymousId: visitor, purposes: { analytics: true } },
      headers: { authorization: `Bearer ${SERVER_KEY}` },
    })

  it('keeps a stable session per visitor from the stored item, distinct between visitors, renewed after 30 minutes', async () => {
    const alice = `alice-${++counter}`
    const bob = `bob-${counter}`
    await consentFor(alice)
    await consentFor(bob)

    clock = new Date('2026-03-02T09:25:00.000Z')
    await page(undefined, { anonymousId: alice })
    await page(undefined, { anonymousId: bob })
    clock = new Date('2026-03-02T09:35:00.000Z')
    await page(undefined, { anonymousId: alice })
    clock = new Date('2026-03-02T10:20:00.000Z')
    await page(undefined, { anonymousId: alice })

    const [alice1, bob1, alice2, alice3] = sessionIds()
    expect(alice2).toBe(alice1)
    expect(bob1).not.toBe(alice1)
    expect(alice3).not.toBe(alice1)
    expect(sessionNumbers()).toEqual([1, 1, 1, 2])
    expect(typeof alice1).toBe('string')
    expect(errors).toEqual([])
  })

  it('rewrites the stored session only when it moved by more than a minute', async () => {
    const visitor = `carol-${++counter}`
    await consentFor(visitor)
    const lastAt = async () =>
      (await partition('shop', visitor)).find((item) => item.sk === 'session')?.session?.lastAt
    await page(undefined, { anonymousId: visitor })
    const first = await lastAt()
    clock = new Date(clock.getTime() + 30 * 1000)
    await page(undefined, { anonymousId: visitor })
    expect(await lastAt()).toBe(first)
    clock = new Date(clock.getTime() + 2 * MINUTE_MS)
    await page(undefined, { anonymousId: visitor })
    expect(await lastAt()).toBe(Math.floor(clock.getTime() / 1000))
  })

  it('keeps no session for a visitor who allows neither purpose, and never a shared clock value', async () => {
    const visitor = `dave-${++counter}`
    await page(undefined, { anonymousId: visitor })
    await page(undefined, { anonymousId: `erin-${counter}` })
    expect(await partition('shop', visitor)).toEqual([])
  })
})

describe("consent.browserIds: 'cookie-only'", () => {
  const strictHeaders = browserHeaders(STRICT_KEY, STRICT_ORIGIN)

  it('refuses a browser naming an id alike, whether the id exists or not', async () => {
    const known = `strict-known-${++counter}`
    await send(consentHandler(), {
      method: 'PUT',
      path: '/v1/consent',
      body: { anonymousId: known, purposes: { analytics: true } },
      headers: { authorization: `Bearer ${STRICT_KEY}` },
    })
    const unknown = `strict-unknown-${counter}`
    const answersFor = async (id: string) =>
      Promise.all([
        send(consentHandler(), {
          method: 'PUT',
          path: '/v1/consent',
          body: { anonymousId: id, purposes: { analytics: true } },
          headers: strictHeaders,
        }),
        send(consentHandler(), { method: 'GET', path: `/v1/consent/${id}`, headers: strictHeaders }),
        send(consentHandler(), { method: 'DELETE', path: `/v1/consent/${id}`, headers: strictHeaders }),
        send(consentHandler(), {
          method: 'POST',
          path: '/v1/privacy/export',
          body: { anonymousId: id },
          headers: strictHeaders,
        }),
      ])
    const forKnown = await answersFor(known)
    const forUnknown = await answersFor(unknown)

    for (const response of [...forKnown, ...forUnknown]) {
      expect(response.statusCode).toBe(403)
      expect(jsonOf(response)).toMatchObject({ field: 'anonymousId' })
      expect(response.cookies).toBeUndefined()
    }
    expect(forKnown.map((response) => response.body)).toEqual(forUnknown.map((response) => response.body))
    expect(forKnown.map((response) => response.headers)).toEqual(
      forUnknown.map((response) => response.headers),
    )
  })

  it('lets the browser act for its own cookie visitor, with the configured cookie lifetime', async () => {
    const jar = browserJar()
    const first = await putConsent(jar, { purposes: { analytics: true } }, STRICT_KEY, STRICT_ORIGIN)
    expect(first.statusCode).toBe(200)
    expect(first.cookies?.[0]).toContain(`Max-Age=${30 * DAY_SECONDS};`)
    const id = String(jar.get('tw_id'))
    const read = await send(
      consentHandler(),
      { method: 'GET', path: `/v1/consent/${id}`, headers: strictHeaders },
      jar,
    )
    expect(read.statusCode).toBe(200)
  })
})
