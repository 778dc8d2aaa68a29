import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { Purpose } from '#shared/consent/model.ts'
import { issueVisitorToken } from '#shared/consent/visitor-token.ts'
import type { HttpResult } from '#shared/http/response.ts'
import { VISITOR_TOKEN_COOKIE } from '#shared/rights/api.ts'
import type { ErasureStatus, Visitor, VisitorRights } from '#shared/rights/ports.ts'
import { type ConsentHandlerDeps, createConsentHandler } from '../../functions/consent/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { type ApiEventInput, apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'
import { visitorCookieOf } from '../support/visitor-cookie.ts'

/**
 * Issue 10: consent that only the visitor (its visitor token cookie) or the site's backend (its server
 * key) can read or change. A third party holding the public write key and a visitor id gets the answer
 * an unknown id gets.
 */
const TABLE = 'visitor-token-test'
const PSEUDONYM_KEY = 'test-pseudonym-key-0123456789'
const SHOP_KEY = 'shop-write-key-1'
const BLOG_KEY = 'blog-write-key-1'
const SHOP_SERVER_KEY = 'shop-server-key-0123456789abcdef'
const SHOP_ORIGIN = 'https://www.shop.example'
const START = new Date('2024-05-06T12:00:00.000Z')
const RETENTION_DAYS = 30

const config = parseConfig({
  policyVersion: '2024-05',
  retention: { consentDays: RETENTION_DAYS },
  sites: [
    { id: 'shop', writeKeys: [SHOP_KEY], allowedOrigins: [SHOP_ORIGIN], serverKeys: [SHOP_SERVER_KEY] },
    { id: 'blog', writeKeys: [BLOG_KEY], allowedOrigins: ['https://blog.example'] },
  ],
})

/** A VisitorRights that records what it was asked (the real parts are built by other modules). */
function recordingRights() {
  const calls: Array<{ right: string; visitor: Visitor; argument?: unknown }> = []
  const status: ErasureStatus = {
    erasureId: 'erasure-1',
    requestedAt: START.toISOString(),
    state: 'pending',
    vendors: {},
  }
  const rightsState = { restricted: false, objections: {} }
  const rights: VisitorRights = {
    async export(visitor) {
      calls.push({ right: 'export', visitor })
      return {
        generatedAt: START.toISOString(),
        anonymousId: visitor.anonymousId,
        consent: { current: null, history: [] },
        traits: null,
        rights: rightsState,
        deliveries: [],
      }
    },
    async restrict(visitor, restricted) {
      calls.push({ right: 'restrict', visitor, argument: restricted })
      return { ...rightsState, restricted }
    },
    async object(visitor, purposes) {
      calls.push({ right: 'object', visitor, argument: purposes })
      return rightsState
    },
    async rectify(visitor, traits) {
      calls.push({ right: 'rectify', visitor, argument: traits })
    },
    async erase(visitor) {
      calls.push({ right: 'erase', visitor })
      return status
    },
    async erasureStatus(visitor, erasureId) {
      calls.push({ right: 'erasureStatus', visitor, argument: erasureId })
      return erasureId === status.erasureId && visitor.anonymousId.startsWith('visitor') ? status : null
    },
  }
  return { rights, calls }
}

let dynamo: EmbeddedDynamo
let client: ReturnType<typeof documentClient>
let clock: Date
let counter = 0
let recorded: ReturnType<typeof recordingRights>
const freshVisitor = () => `visitor-${++counter}-6f1c`

function deps(overrides: Partial<ConsentHandlerDeps> = {}): ConsentHandlerDeps {
  return {
    config,
    store: dynamoConsentStore(client, TABLE),
    pseudonymKey: PSEUDONYM_KEY,
    policyVersion: config.policyVersion,
    retentionDays: RETENTION_DAYS,
    now: () => clock,
    newReceiptId: () => `receipt-${++counter}`,
    rights: recorded.rights,
    ...overrides,
  }
}

const call = (input: ApiEventInput, overrides: Partial<ConsentHandlerDeps> = {}): Promise<HttpResult> =>
  createConsentHandler(deps(overrides))(apiEvent(input) satisfies APIGatewayProxyEventV2, lambdaContext())

const browser = { authorization: basicAuthorization(SHOP_KEY), origin: SHOP_ORIGIN }
const backend = { authorization: `Bearer ${SHOP_SERVER_KEY}` }
const jsonOf = (response: HttpResult): unknown => JSON.parse(response.body ?? '')
const path = (anonymousId: string) => `/v1/consent/${encodeURIComponent(anonymousId)}`

interface As {
  headers?: Record<string, string>
  cookie?: string | undefined
}
const sent = ({ headers = browser, cookie }: As) => ({ headers, ...(cookie ? { cookies: [cookie] } : {}) })

const put = (anonymousId: string, purposes: Partial<Record<Purpose, boolean>>, as: As = {}) =>
  call({ method: 'PUT', path: '/v1/consent', body: { anonymousId, purposes }, ...sent(as) })
const get = (anonymousId: string, as: As = {}) =>
  call({ method: 'GET', path: path(anonymousId), ...sent(as) })
const revoke = (anonymousId: string, as: As = {}) =>
  call({ method: 'DELETE', path: path(anonymousId), ...sent(as) })
const objection = (anonymousId: string, as: As = {}) =>
  call({
    method: 'POST',
    path: `${path(anonymousId)}/objection`,
    body: { policyVersion: '2024-05' },
    ...sent(as),
  })
const privacy = (route: string, body: object, as: As = {}, method = 'POST') =>
  call({ method, path: `/v1/privacy/${route}`, body, ...sent(as) })

/** Every id-specific request a third party could make with the public key and an id alone. */
const probes: Array<[string, (anonymousId: string, as?: As) => Promise<HttpResult>]> = [
  ['GET /v1/consent/{id}', get],
  ['DELETE /v1/consent/{id}', revoke],
  ['POST /v1/consent/{id}/objection', objection],
  ['POST /v1/privacy/export', (id, as) => privacy('export', { anonymousId: id }, as)],
  ['POST /v1/privacy/restrict', (id, as) => privacy('restrict', { anonymousId: id, restricted: true }, as)],
  [
    'POST /v1/privacy/object',
    (id, as) => privacy('object', { anonymousId: id, purposes: { marketing: true } }, as),
  ],
  [
    'PUT /v1/privacy/traits',
    (id, as) => privacy('traits', { anonymousId: id, traits: { plan: 'pro' } }, as, 'PUT'),
  ],
  ['POST /v1/privacy/erase', (id, as) => privacy('erase', { anonymousId: id }, as)],
]

/** A visitor who consented from its browser, with the cookie that decision set. */
async function consentedVisitor(purposes: Partial<Record<Purpose, boolean>> = { analytics: true }) {
  const anonymousId = freshVisitor()
  const response = await put(anonymousId, purposes)
  expect(response.statusCode).toBe(200)
  const cookie = visitorCookieOf(response.headers?.['set-cookie'])
  if (!cookie) throw new Error('the first decision set no visitor token')
  return { anonymousId, cookie }
}

const purposesAsStored = async (anonymousId: string) => {
  const response = await get(anonymousId, { headers: backend })
  return response.statusCode === 200 ? (jsonOf(response) as { purposes: unknown }).purposes : null
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo([TABLE])
  client = documentClient(dynamo.clientConfig)
})

beforeEach(() => {
  clock = START
  recorded = recordingRights()
})

afterAll(async () => {
  client.destroy()
  await dynamo.close()
})

describe('the first decision from a browser', () => {
  it('issues the visitor token as an HttpOnly, Secure, SameSite=Lax cookie that lives as long as the decision', async () => {
    const response = await put(freshVisitor(), { analytics: true })

    expect(response.statusCode).toBe(200)
    expect(response.headers?.['set-cookie']).toMatch(
      new RegExp(
        `^${VISITOR_TOKEN_COOKIE}=v1\\.\\d+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}; Max-Age=${RETENTION_DAYS * 86400}; Path=/v1/; HttpOnly; Secure; SameSite=Lax$`,
      ),
    )
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': SHOP_ORIGIN,
      'access-control-allow-credentials': 'true',
    })
  })

  it('never puts the token or its nonce in the receipt', async () => {
    const response = await put(freshVisitor(), { analytics: true })

    expect(Object.keys(jsonOf(response) as object)).not.toContain('tokenNonce')
  })
})

describe('a third party with the browser key and a visitor id alone', () => {
  it.each(probes)('%s gets exactly the answer an unknown id gets', async (_route, probe) => {
    const { anonymousId } = await consentedVisitor({ analytics: true, marketing: true })

    const forVictim = await probe(anonymousId)
    const forUnknown = await probe(freshVisitor())

    expect(forVictim.statusCode).toBe(404)
    expect(forVictim.statusCode).toBe(forUnknown.statusCode)
    expect(forVictim.body).toBe(forUnknown.body)
    expect(forVictim.headers).toEqual(forUnknown.headers)
    // Readable by the site's page that called with its cookie, as every consent answer is.
    expect(forVictim.headers).toHaveProperty('access-control-allow-credentials', 'true')
    expect(recorded.calls).toEqual([])
    expect(await purposesAsStored(anonymousId)).toEqual({ analytics: true, marketing: true })
  })

  it('cannot widen a stored decision: PUT gets the documented 403 and changes nothing', async () => {
    const { anonymousId } = await consentedVisitor({ analytics: false, marketing: false })

    const forged = await put(anonymousId, { analytics: true, marketing: true })

    expect(forged.statusCode).toBe(403)
    expect(jsonOf(forged)).toEqual({
      error: 'this visitor id needs its visitor token (cookie) or the server key',
      field: 'visitorToken',
    })
    expect(forged.headers).not.toHaveProperty('set-cookie')
    expect(forged.headers).toHaveProperty('access-control-allow-credentials', 'true')
    expect(await purposesAsStored(anonymousId)).toEqual({ analytics: false, marketing: false })
  })

  it('cannot use its own token (for its own id) for the victim', async () => {
    const victim = await consentedVisitor({ analytics: false })
    const attacker = await consentedVisitor()

    expect((await get(victim.anonymousId, { cookie: attacker.cookie })).statusCode).toBe(404)
    expect((await put(victim.anonymousId, { marketing: true }, { cookie: attacker.cookie })).statusCode).toBe(
      403,
    )
    expect(await purposesAsStored(victim.anonymousId)).toEqual({ analytics: false, marketing: false })
  })
})

describe('the visitor with its cookie', () => {
  it('reads, changes and revokes its consent, keeping the same token throughout', async () => {
    const { anonymousId, cookie } = await consentedVisitor({ analytics: true })

    const read = await get(anonymousId, { cookie })
    const widened = await put(anonymousId, { analytics: true, marketing: true }, { cookie })
    const revoked = await revoke(anonymousId, { cookie })
    const readAgain = await get(anonymousId, { cookie })

    expect(read.statusCode).toBe(200)
    expect(read.headers).toMatchObject({ 'access-control-allow-credentials': 'true' })
    expect(widened.statusCode).toBe(200)
    expect(jsonOf(widened)).toMatchObject({ purposes: { analytics: true, marketing: true } })
    expect(revoked.statusCode).toBe(200)
    expect(readAgain.statusCode).toBe(200)
    expect(jsonOf(readAgain)).toMatchObject({
      purposes: { analytics: false, marketing: false },
      history: [
        { purposes: { analytics: true } },
        { purposes: { marketing: true } },
        { purposes: { analytics: false } },
      ],
    })
  })

  it('gets its cookie renewed with each change, still accepted', async () => {
    const { anonymousId, cookie } = await consentedVisitor()
    clock = new Date(START.getTime() + 20 * 86_400_000)

    const changed = await put(anonymousId, { marketing: true }, { cookie })
    const renewed = visitorCookieOf(changed.headers?.['set-cookie'])
    clock = new Date(START.getTime() + 40 * 86_400_000)

    expect(renewed).toBeDefined()
    expect(renewed).not.toBe(cookie)
    expect((await get(anonymousId, { cookie: renewed })).statusCode).toBe(200)
    expect((await get(anonymousId, { cookie })).statusCode).toBe(404)
  })

  it('objects to the notice with it (the window is closed here: 409, not the unknown-id answer)', async () => {
    const { anonymousId, cookie } = await consentedVisitor()

    expect((await objection(anonymousId, { cookie })).statusCode).toBe(409)
  })

  it('exercises each right through the VisitorRights port, for its own id on its own site', async () => {
    const { anonymousId, cookie } = await consentedVisitor()
    const visitor = { siteId: 'shop', anonymousId }

    const exported = await privacy('export', { anonymousId }, { cookie })
    const restricted = await privacy('restrict', { anonymousId, restricted: true }, { cookie })
    const objected = await privacy('object', { anonymousId, purposes: { analytics: true } }, { cookie })
    const rectified = await privacy('traits', { anonymousId, traits: { plan: 'pro' } }, { cookie }, 'PUT')

    expect([exported, restricted, objected, rectified].map((response) => response.statusCode)).toEqual([
      200, 200, 200, 204,
    ])
    expect(jsonOf(exported)).toMatchObject({ anonymousId })
    expect(jsonOf(restricted)).toMatchObject({ restricted: true })
    expect(recorded.calls).toEqual([
      { right: 'export', visitor },
      { right: 'restrict', visitor, argument: true },
      { right: 'object', visitor, argument: { analytics: true } },
      { right: 'rectify', visitor, argument: { plan: 'pro' } },
    ])
  })

  it('erases: 202, the cookie cleared; the status is then read with the erasure id', async () => {
    const { anonymousId, cookie } = await consentedVisitor()

    const erased = await privacy('erase', { anonymousId }, { cookie })
    const status = await privacy('erase/status', { anonymousId, erasureId: 'erasure-1' })
    const guessed = await privacy('erase/status', { anonymousId, erasureId: 'erasure-2' })

    expect(erased.statusCode).toBe(202)
    expect(erased.headers?.['set-cookie']).toBe(
      `${VISITOR_TOKEN_COOKIE}=; Max-Age=0; Path=/v1/; HttpOnly; Secure; SameSite=Lax`,
    )
    expect(jsonOf(erased)).toMatchObject({ erasureId: 'erasure-1', state: 'pending' })
    expect(status.statusCode).toBe(200)
    expect(guessed.statusCode).toBe(404)
    expect(guessed.body).toBe((await get(freshVisitor())).body)
  })
})

describe('tokens that do not prove the visitor', () => {
  it('refuses a token for another id, another site, a tampered one and an expired one', async () => {
    const { anonymousId, cookie } = await consentedVisitor()
    const [name, token = ''] = cookie.split('=')
    const [version, issuedAt = '', nonce = '', mac = ''] = token.split('.')
    const forOtherSite = issueVisitorToken(PSEUDONYM_KEY, { siteId: 'blog', anonymousId }, nonce, START)
    const laterIssued = `${version}.${Number(issuedAt) + 1}.${nonce}.${mac}`
    const flippedMac = `${version}.${issuedAt}.${nonce}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`

    for (const bad of [forOtherSite, laterIssued, flippedMac, '', 'v1..', 'garbage']) {
      expect((await get(anonymousId, { cookie: `${name}=${bad}` })).statusCode).toBe(404)
      expect((await put(anonymousId, { marketing: true }, { cookie: `${name}=${bad}` })).statusCode).toBe(403)
    }
    const otherId = await consentedVisitor()
    expect((await get(otherId.anonymousId, { cookie })).statusCode).toBe(404)

    clock = new Date(START.getTime() + RETENTION_DAYS * 86_400_000)
    // The decision itself expired too: the id is unknown again, and a new decision issues a new token.
    expect((await get(anonymousId, { cookie })).statusCode).toBe(404)
  })

  it('refuses a token from before the decision it is presented for (the id erased and decided again)', async () => {
    const { anonymousId, cookie } = await consentedVisitor()
    clock = new Date(START.getTime() + (RETENTION_DAYS + 1) * 86_400_000)
    const again = await put(anonymousId, { analytics: true })

    expect(again.statusCode).toBe(200)
    expect((await get(anonymousId, { cookie })).statusCode).toBe(404)
  })

  it('refuses, for the site blog, a token the shop issued (the id is the same)', async () => {
    const { anonymousId, cookie } = await consentedVisitor()
    const onBlog = await put(
      anonymousId,
      { analytics: true },
      { headers: { authorization: basicAuthorization(BLOG_KEY) } },
    )
    const blogCookie = visitorCookieOf(onBlog.headers?.['set-cookie'])

    expect(
      (await get(anonymousId, { headers: { authorization: basicAuthorization(BLOG_KEY) }, cookie }))
        .statusCode,
    ).toBe(404)
    expect(
      (
        await get(anonymousId, {
          headers: { authorization: basicAuthorization(BLOG_KEY) },
          cookie: blogCookie,
        })
      ).statusCode,
    ).toBe(200)
  })
})

describe('the server key', () => {
  it('acts for any visitor, sets no cookie, and the visitor keeps its token', async () => {
    const { anonymousId, cookie } = await consentedVisitor({ analytics: true })

    const read = await get(anonymousId, { headers: backend })
    const changed = await put(anonymousId, { marketing: true }, { headers: backend })
    const exported = await privacy('export', { anonymousId }, { headers: backend })
    const revoked = await revoke(anonymousId, {
      headers: { authorization: basicAuthorization(SHOP_SERVER_KEY) },
    })

    expect([read, changed, exported, revoked].map((response) => response.statusCode)).toEqual([
      200, 200, 200, 200,
    ])
    for (const response of [read, changed, exported, revoked])
      expect(response.headers).not.toHaveProperty('set-cookie')
    expect(recorded.calls).toEqual([{ right: 'export', visitor: { siteId: 'shop', anonymousId } }])
    expect((await get(anonymousId, { cookie })).statusCode).toBe(200)
  })

  it('records a first decision for an id the browser never saw', async () => {
    const anonymousId = freshVisitor()

    expect((await put(anonymousId, { analytics: true }, { headers: backend })).statusCode).toBe(200)
    expect(await purposesAsStored(anonymousId)).toEqual({ analytics: true, marketing: false })
  })

  it('is refused with an Origin (a browser), naming authorization, and changes nothing', async () => {
    const { anonymousId } = await consentedVisitor({ analytics: false })
    const fromPage = { ...backend, origin: SHOP_ORIGIN }

    const read = await get(anonymousId, { headers: fromPage })
    const widened = await put(anonymousId, { analytics: true }, { headers: fromPage })

    for (const response of [read, widened]) {
      expect(response.statusCode).toBe(403)
      expect(jsonOf(response)).toEqual({
        error: 'a server key is never accepted from a browser (the request has an Origin)',
        field: 'authorization',
      })
      expect(response.headers).toHaveProperty('access-control-allow-credentials', 'true')
    }
    expect(await purposesAsStored(anonymousId)).toEqual({ analytics: false, marketing: false })
  })

  it('is not taken from the body or the query string', async () => {
    const response = await call({
      method: 'GET',
      path: path(freshVisitor()),
      query: { writeKey: SHOP_SERVER_KEY },
    })

    expect(response.statusCode).toBe(401)
  })
})

describe('the /v1/privacy/* routes', () => {
  it('name the field at fault in a bad body', async () => {
    const { anonymousId, cookie } = await consentedVisitor()

    const restrict = await privacy('restrict', { anonymousId, restricted: 'yes' }, { cookie })
    const object = await privacy('object', { anonymousId, purposes: { tracking: true } }, { cookie })
    const missing = await privacy('export', {}, { cookie })

    expect([restrict, object, missing].map((response) => response.statusCode)).toEqual([400, 400, 400])
    expect((jsonOf(restrict) as { field: string }).field).toBe('restricted')
    expect((jsonOf(object) as { field: string }).field).toBe('purposes.tracking')
    expect((jsonOf(missing) as { field: string }).field).toBe('anonymousId')
  })

  it('refuse a body over 4 KiB with 413', async () => {
    const response = await privacy(
      'traits',
      { anonymousId: 'visitor-x', traits: { note: 'x'.repeat(5000) } },
      {},
      'PUT',
    )

    expect(response.statusCode).toBe(413)
  })

  it('answer 501 when the deployment has no visitor rights', async () => {
    const { anonymousId, cookie } = await consentedVisitor()

    const response = await call(
      {
        method: 'POST',
        path: '/v1/privacy/export',
        body: { anonymousId },
        headers: browser,
        cookies: [cookie],
      },
      { rights: undefined },
    )

    expect(response.statusCode).toBe(501)
  })

  it('take only their own method (405 otherwise)', async () => {
    expect((await privacy('traits', { anonymousId: 'visitor-x', traits: {} })).statusCode).toBe(405)
    expect((await privacy('export', { anonymousId: 'visitor-x' }, {}, 'PUT')).statusCode).toBe(405)
  })
})
