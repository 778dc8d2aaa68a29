import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { HttpResult } from '#shared/http/response.ts'
import { type ConsentHandlerDeps, createConsentHandler } from '../../functions/consent/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { type ApiEventInput, apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'
import { visitorJar } from '../support/visitor-cookie.ts'

const TABLE = 'consent-api-test'
const SHOP_KEY = 'shop-write-key-1'
const BLOG_KEY = 'blog-write-key-1'
const SHOP_ORIGIN = 'https://www.shop.example'
const CLIENT_IP = '198.51.100.23'
const START = new Date('2024-05-06T12:00:00.000Z')

const config = parseConfig({
  policyVersion: '2024-05',
  retention: { consentDays: 30 },
  sites: [
    { id: 'shop', writeKeys: [SHOP_KEY], allowedOrigins: [SHOP_ORIGIN] },
    { id: 'blog', writeKeys: [BLOG_KEY], allowedOrigins: ['https://blog.example'] },
  ],
})

let dynamo: EmbeddedDynamo
let client: ReturnType<typeof documentClient>
let clock: Date
let receiptCounter = 0
let visitorCounter = 0
const freshVisitor = () => `visitor-${++visitorCounter}-0f8fad5b`

function depsFor(overrides: Partial<ConsentHandlerDeps> = {}): ConsentHandlerDeps {
  return {
    config,
    store: dynamoConsentStore(client, TABLE),
    pseudonymKey: 'test-pseudonym-key-0123456789',
    policyVersion: config.policyVersion,
    retentionDays: config.retention.consentDays,
    now: () => clock,
    newReceiptId: () => `receipt-${++receiptCounter}`,
    ...overrides,
  }
}

async function call(input: ApiEventInput, deps = depsFor()): Promise<HttpResult> {
  return createConsentHandler(deps)(apiEvent({ sourceIp: CLIENT_IP, ...input }), lambdaContext())
}

const jsonOf = (response: HttpResult): unknown => JSON.parse(response.body ?? '')

const shopHeaders = { authorization: basicAuthorization(SHOP_KEY), origin: SHOP_ORIGIN }

/** Each visitor's browser keeps the visitor token its first decision set, and sends it back. */
const jar = visitorJar()
const withCookie = (anonymousId: string) => {
  const cookies = jar.cookiesFor(anonymousId)
  return cookies ? { cookies } : {}
}

async function putConsent(
  anonymousId: string,
  purposes: unknown,
  headers: Record<string, string> = shopHeaders,
) {
  const input = { method: 'PUT', path: '/v1/consent', headers, body: { anonymousId, purposes } }
  const response = await call({ ...input, ...withCookie(anonymousId) })
  jar.keep(anonymousId, response.headers?.['set-cookie'])
  return response
}

const visitorPath = (anonymousId: string) => `/v1/consent/${encodeURIComponent(anonymousId)}`

const getConsent = (anonymousId: string, headers: Record<string, string> = shopHeaders) =>
  call({ method: 'GET', path: visitorPath(anonymousId), headers, ...withCookie(anonymousId) })

const deleteConsent = (anonymousId: string, headers: Record<string, string> = shopHeaders) =>
  call({ method: 'DELETE', path: visitorPath(anonymousId), headers, ...withCookie(anonymousId) })

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo([TABLE])
  client = documentClient(dynamo.clientConfig)
})

beforeEach(() => {
  clock = START
})

afterAll(async () => {
  client.destroy()
  await dynamo.close()
})

describe('PUT /v1/consent', () => {
  it('records the decision and answers with a receipt under the current policy version', async () => {
    const visitor = freshVisitor()

    const response = await putConsent(visitor, { analytics: true })

    expect(response.statusCode).toBe(200)
    expect(jsonOf(response)).toEqual({
      receiptId: `receipt-${receiptCounter}`,
      anonymousId: visitor,
      purposes: { analytics: true, marketing: false },
      policyVersion: '2024-05',
      recordedAt: '2024-05-06T12:00:00.000Z',
      expiresAt: '2024-06-05T12:00:00.000Z',
      // The visitor reference the tag hands to an embedded scheduler, while analytics is allowed.
      ref: expect.stringMatching(/^r1\.[A-Za-z0-9_-]+$/),
    })
  })

  it('marks every answer no-store and readable by the site origin', async () => {
    const response = await putConsent(freshVisitor(), { analytics: true })

    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'access-control-allow-origin': SHOP_ORIGIN,
      vary: 'Origin',
    })
  })

  it('takes the write key from the body or the query string when there is no Authorization header', async () => {
    const fromBody = await call({
      method: 'PUT',
      path: '/v1/consent',
      body: { anonymousId: freshVisitor(), purposes: {}, writeKey: SHOP_KEY },
    })
    const fromQuery = await call({
      method: 'PUT',
      path: '/v1/consent',
      query: { writeKey: SHOP_KEY },
      body: { anonymousId: freshVisitor(), purposes: {} },
    })

    expect(fromBody.statusCode).toBe(200)
    expect(fromQuery.statusCode).toBe(200)
  })

  it('accepts a base64-encoded body', async () => {
    const body = Buffer.from(JSON.stringify({ anonymousId: freshVisitor(), purposes: { marketing: true } }))

    const response = await call({
      method: 'PUT',
      path: '/v1/consent',
      headers: shopHeaders,
      body: body.toString('base64'),
      isBase64Encoded: true,
    })

    expect(response.statusCode).toBe(200)
    expect(jsonOf(response)).toMatchObject({ purposes: { analytics: false, marketing: true } })
  })

  it('refuses an unknown write key with 401', async () => {
    const response = await putConsent(
      freshVisitor(),
      { analytics: true },
      { authorization: basicAuthorization('nope-nope-nope') },
    )

    expect(response.statusCode).toBe(401)
    expect(jsonOf(response)).toEqual({ error: 'unknown write key', field: 'writeKey' })
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' })
  })

  it('refuses a request without any write key with 401', async () => {
    const response = await putConsent(freshVisitor(), { analytics: true }, {})

    expect(response.statusCode).toBe(401)
  })

  it('refuses an origin the site does not allow with 403 and stores nothing', async () => {
    const visitor = freshVisitor()
    const foreign = { authorization: basicAuthorization(SHOP_KEY), origin: 'https://evil.example' }

    const response = await putConsent(visitor, { analytics: true }, foreign)

    expect(response.statusCode).toBe(403)
    expect(jsonOf(response)).toMatchObject({ field: 'origin' })
    expect(response.headers).not.toHaveProperty('access-control-allow-origin')
    expect((await getConsent(visitor)).statusCode).toBe(404)
  })

  it('refuses a non-boolean purpose with 400 naming purposes.analytics', async () => {
    const response = await putConsent(freshVisitor(), { analytics: 'yes' })

    expect(response.statusCode).toBe(400)
    expect(jsonOf(response)).toMatchObject({ field: 'purposes.analytics' })
  })

  it('refuses an unknown purpose with 400 naming it', async () => {
    const response = await putConsent(freshVisitor(), { analytics: true, tracking: true })

    expect(response.statusCode).toBe(400)
    expect(jsonOf(response)).toMatchObject({ field: 'purposes.tracking' })
  })

  it('refuses a body that is not JSON with 400 naming the body', async () => {
    const response = await call({
      method: 'PUT',
      path: '/v1/consent',
      headers: shopHeaders,
      body: '{"anonymousId":',
    })

    expect(response.statusCode).toBe(400)
    expect(jsonOf(response)).toEqual({ error: 'must be valid JSON', field: 'body' })
  })

  it('refuses an empty or overlong anonymousId with 400', async () => {
    const empty = await putConsent('', { analytics: true })
    const overlong = await putConsent('v'.repeat(257), { analytics: true })

    expect(jsonOf(empty)).toMatchObject({ field: 'anonymousId' })
    expect(overlong.statusCode).toBe(400)
    expect(jsonOf(overlong)).toMatchObject({ field: 'anonymousId' })
  })

  it('refuses a body over 4 KiB with 413', async () => {
    const response = await call({
      method: 'PUT',
      path: '/v1/consent',
      headers: shopHeaders,
      body: { anonymousId: freshVisitor(), purposes: {}, padding: 'x'.repeat(4 * 1024) },
    })

    expect(response.statusCode).toBe(413)
  })
})

describe('GET and DELETE /v1/consent/{anonymousId}', () => {
  it('shows a revocation as every purpose refused, with both decisions in the history', async () => {
    const visitor = freshVisitor()
    await putConsent(visitor, { analytics: true, marketing: true })
    const granted = jsonOf(await getConsent(visitor))
    clock = new Date(START.getTime() + 60_000)

    const revocation = await deleteConsent(visitor)
    const afterRevocation = await getConsent(visitor)

    expect(granted).toMatchObject({ purposes: { analytics: true, marketing: true } })
    expect(revocation.statusCode).toBe(200)
    expect(jsonOf(revocation)).toMatchObject({
      anonymousId: visitor,
      purposes: { analytics: false, marketing: false },
      policyVersion: '2024-05',
      recordedAt: '2024-05-06T12:01:00.000Z',
    })
    expect(afterRevocation.statusCode).toBe(200)
    expect(jsonOf(afterRevocation)).toMatchObject({
      anonymousId: visitor,
      purposes: { analytics: false, marketing: false },
      needsRenewal: false,
      history: [
        { purposes: { analytics: true, marketing: true }, recordedAt: '2024-05-06T12:00:00.000Z' },
        { purposes: { analytics: false, marketing: false }, recordedAt: '2024-05-06T12:01:00.000Z' },
      ],
    })
  })

  it('answers 404 for a visitor who never decided', async () => {
    const response = await getConsent(freshVisitor())

    expect(response.statusCode).toBe(404)
    expect(jsonOf(response)).toEqual({ error: 'consent not found' })
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' })
  })

  it('answers 404 once the decision has outlived the retention period', async () => {
    const visitor = freshVisitor()
    await putConsent(visitor, { analytics: true })
    clock = new Date(START.getTime() + 31 * 24 * 60 * 60 * 1000)

    const response = await getConsent(visitor)

    expect(response.statusCode).toBe(404)
  })

  it('keeps the same visitor id on two sites apart', async () => {
    const visitor = freshVisitor()
    await putConsent(visitor, { analytics: true })

    const onBlog = await getConsent(visitor, { authorization: basicAuthorization(BLOG_KEY) })

    expect(onBlog.statusCode).toBe(404)
  })

  it('flags a decision recorded under an older policy version as needing renewal', async () => {
    const visitor = freshVisitor()
    await putConsent(visitor, { analytics: true })

    const response = await call(
      { method: 'GET', path: visitorPath(visitor), headers: shopHeaders, ...withCookie(visitor) },
      depsFor({ policyVersion: '2025-01' }),
    )

    expect(jsonOf(response)).toMatchObject({ policyVersion: '2024-05', needsRenewal: true })
  })

  it('round-trips a visitor id that needs percent-encoding in the path', async () => {
    const visitor = `${freshVisitor()}/ä b%`
    await putConsent(visitor, { analytics: true })

    const response = await getConsent(visitor)

    expect(response.statusCode).toBe(200)
    expect(jsonOf(response)).toMatchObject({ anonymousId: visitor })
  })

  it('refuses a path id that is not valid percent-encoding with 400', async () => {
    const response = await call({ method: 'GET', path: '/v1/consent/%E0%A4%A', headers: shopHeaders })

    expect(response.statusCode).toBe(400)
    expect(jsonOf(response)).toMatchObject({ field: 'anonymousId' })
  })

  it('refuses a revocation with an unknown write key with 401', async () => {
    const response = await deleteConsent(freshVisitor(), {
      authorization: basicAuthorization('nope-nope-nope'),
    })

    expect(response.statusCode).toBe(401)
  })
})

describe('consent table contents', () => {
  it('holds no visitor id and no client IP in any item', async () => {
    const visitor = `${freshVisitor()}-needle`
    await putConsent(visitor, { analytics: true })
    await deleteConsent(visitor)

    const { Items = [] } = await client.send(new ScanCommand({ TableName: TABLE }))
    const stored = JSON.stringify(Items)

    expect(Items.length).toBeGreaterThan(0)
    expect(stored).not.toContain(visitor)
    expect(stored).not.toContain('needle')
    expect(stored).not.toContain(CLIENT_IP)
  })
})

describe('routing', () => {
  it('serves a path that carries a named stage', async () => {
    const event: APIGatewayProxyEventV2 = apiEvent({
      method: 'GET',
      path: `/prod${visitorPath('unknown-visitor')}`,
      headers: shopHeaders,
      stage: 'prod',
    })

    const response = await createConsentHandler(depsFor())(event, lambdaContext())

    expect(response.statusCode).toBe(404)
    expect(jsonOf(response)).toEqual({ error: 'consent not found' })
  })

  it('answers a CORS preflight from a site origin', async () => {
    const response = await call({ method: 'OPTIONS', path: '/v1/consent', headers: { origin: SHOP_ORIGIN } })

    expect(response.statusCode).toBe(204)
    expect(response.headers).toMatchObject({ 'access-control-allow-origin': SHOP_ORIGIN })
  })

  it('answers 405 to a method the path does not take', async () => {
    const response = await call({ method: 'POST', path: '/v1/consent', headers: shopHeaders, body: {} })

    expect(response.statusCode).toBe(405)
  })

  it('answers 404 to an unknown path', async () => {
    const response = await call({ method: 'GET', path: '/v1/consent/a/b', headers: shopHeaders })

    expect(response.statusCode).toBe(404)
  })
})

describe('unexpected failures', () => {
  it('answers a bare 500 and reports only the error, never the request', async () => {
    const reported: unknown[] = []
    const deps = depsFor({
      store: dynamoConsentStore(client, 'no-such-table'),
      report: (error) => reported.push(error),
    })

    const response = await call({ method: 'GET', path: visitorPath('someone'), headers: shopHeaders }, deps)

    expect(response.statusCode).toBe(500)
    expect(jsonOf(response)).toEqual({ error: 'internal error' })
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' })
    expect(reported).toEqual([expect.objectContaining({ name: 'ResourceNotFoundException' })])
  })
})
