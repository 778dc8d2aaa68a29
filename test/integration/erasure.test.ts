import { generateKeyPairSync, verify } from 'node:crypto'
import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoErasureStore } from '#shared/adapters/dynamodb-erasure-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import { consentKey, ga4ClientId } from '#shared/privacy/pseudonym.ts'
import { type VisitorErasure, visitorErasure } from '#shared/rights/erasure.ts'
import type { ErasureStatus } from '#shared/rights/ports.ts'
import { queueSettingsFor } from '../../local/queues.ts'
import { CONSENT_TABLE, type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { basicAuthorization } from '../support/api-event.ts'
import { type CapturedRequest, type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'

const WRITE_KEY = 'erasure-write-key'
const ORIGIN = 'https://www.shop.example'
const SITE = 'shop'
const PSEUDONYM_KEY = 'erasure-pseudonym-key'
const PROPERTY_ID = '345678901'
const TOKEN_URI = 'https://oauth2.googleapis.com/token'
const SERVICE_EMAIL = 'eraser@tagwarden-test.iam.gserviceaccount.com'
const ACCESS_TOKEN = 'ya29.test-access-token'
const HUBSPOT_TOKEN = 'pat-eu1-erasure-test'
const DELETION_PATH = `/v1alpha/properties/${PROPERTY_ID}:submitUserDeletion`
const MAX_RECEIVE_COUNT = 3
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const config = parseConfig({
  sites: [{ id: SITE, writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: {
    ga4: { enabled: true, measurementId: 'G-ERASE1', propertyId: PROPERTY_ID },
    hubspot: { enabled: true, portalId: '123456' },
  },
})

/** What a Google token endpoint checks of a service account's assertion (RFC 7523, RS256). */
function assertionViolations(request: CapturedRequest): string[] {
  const form = new URLSearchParams(request.body)
  const problems: string[] = []
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') problems.push('grant_type')
  const [header, claims, signature, ...rest] = (form.get('assertion') ?? '').split('.')
  if (!header || !claims || !signature || rest.length > 0) return [...problems, 'assertion is not a JWT']
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${claims}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  )
  if (!signed) problems.push('signature')
  const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))
  if (head.alg !== 'RS256') problems.push('alg')
  const claim = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8'))
  if (claim.iss !== SERVICE_EMAIL) problems.push('iss')
  if (claim.aud !== TOKEN_URI) problems.push('aud')
  if (claim.scope !== 'https://www.googleapis.com/auth/analytics.edit') problems.push('scope')
  const nowSeconds = Date.now() / 1000
  if (!(claim.iat <= nowSeconds + 60 && claim.exp > nowSeconds && claim.exp - claim.iat <= 3600))
    problems.push('iat/exp')
  return problems
}

/** submitUserDeletion (vendors.md §1.11): a property path, a bearer token, exactly one id in the body. */
function deletionViolations(request: CapturedRequest, clientId: string): string[] {
  const problems: string[] = []
  if (request.method !== 'POST') problems.push('method')
  if (!/^\/v1alpha\/properties\/\d+:submitUserDeletion$/.test(request.path)) problems.push('path')
  if (request.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) problems.push('authorization')
  const body = JSON.parse(request.body)
  const ids = ['userId', 'clientId', 'appInstanceId', 'userProvidedData'].filter((key) => key in body)
  if (ids.length !== 1 || Object.keys(body).length !== 1) problems.push('body must hold exactly one id')
  if (body.clientId !== clientId) problems.push('clientId')
  return problems
}

describe('erasing a visitor through the local system', () => {
  let system: LocalSystem
  let vendors: CaptureServer
  let client: ReturnType<typeof documentClient>
  let erasure: VisitorErasure
  /** GA4's collect endpoint holds its answers until released, then answers 503. */
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  let deletionDown = false

  const send = async (method: string, path: string, body: object) => {
    const response = await fetch(`${system.url}${path}`, {
      method,
      headers: {
        authorization: basicAuthorization(WRITE_KEY),
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
      },
      body: JSON.stringify(body),
    })
    expect(response.status).toBe(200)
  }
  const partition = async (anonymousId: string) => {
    const { Items } = await client.send(
      new QueryCommand({
        TableName: CONSENT_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': consentKey(PSEUDONYM_KEY, SITE, anonymousId) },
        ConsistentRead: true,
      }),
    )
    return Items ?? []
  }
  const to = (path: string) => vendors.requests.filter((request) => request.path === path)
  const settled = (visitor: string, erasureId: string) =>
    eventually(async () => {
      const status = await erasure.erasureStatus({ siteId: SITE, anonymousId: visitor }, erasureId)
      return status && status.state !== 'pending' ? status : undefined
    })
  const finalOutcomes = (messageIds: ReadonlyArray<string>) => {
    const last = new Map<string, string>()
    for (const entry of system.outbox.deliveries.toArray())
      if (messageIds.includes(entry.messageId)) last.set(entry.messageId, `${entry.outcome}: ${entry.reason}`)
    return messageIds.map((id) => last.get(id))
  }

  beforeAll(async () => {
    vendors = await startCaptureServer({
      respond: (request) => {
        if (request.path === '/mp/collect') return held.then(() => ({ status: 503 }))
        if (request.path === '/token')
          return { status: 200, body: JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3599 }) }
        if (request.path === DELETION_PATH)
          return deletionDown
            ? { status: 503, body: 'backend unavailable' }
            : { status: 200, body: JSON.stringify({ deletionRequestTime: new Date().toISOString() }) }
        return { status: 204 }
      },
    })
    system = await startLocalSystem({
      config,
      port: 0,
      pseudonymKey: PSEUDONYM_KEY,
      credentials: {
        ga4: JSON.stringify({
          apiSecret: 'erasure-api-secret',
          serviceAccount: {
            client_email: SERVICE_EMAIL,
            private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
            token_uri: TOKEN_URI,
          },
        }),
        hubspot: JSON.stringify({ accessToken: HUBSPOT_TOKEN }),
      },
      vendorBaseUrl: vendors.url,
      // Retries come back within milliseconds: one "second" of backoff lasts 5 ms here.
      queueSettings: {
        ...queueSettingsFor(5_000),
        maxReceiveCount: MAX_RECEIVE_COUNT,
        redeliverySecondMs: 5,
      },
      trustProxy: false,
      print: () => {},
    })
    client = documentClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    erasure = visitorErasure({
      store: dynamoErasureStore(client, CONSENT_TABLE),
      dispatch: system.queues,
      pseudonymKey: PSEUDONYM_KEY,
      now: () => new Date(),
    })
  })
  afterAll(async () => {
    client?.destroy()
    await system?.close()
    await vendors?.close()
  })

  it('deletes the partition, withholds queued events, asks GA4 to delete, and reads done', async () => {
    const visitor = 'visitor-erase-1'
    await send('PUT', '/v1/consent', { anonymousId: visitor, purposes: { analytics: true } })
    await send('POST', '/v1/track', { anonymousId: visitor, messageId: 'erase-1-a', event: 'Kettle Viewed' })
    await send('POST', '/v1/page', { anonymousId: visitor, messageId: 'erase-1-b', name: 'Kettles' })
    // GA4 is slow, then answers 503: the events are still queued when the visitor erases.
    await vendors.waitFor(1)
    expect((await partition(visitor)).length).toBeGreaterThan(0)

    const status = await erasure.erase({ siteId: SITE, anonymousId: visitor })
    release()
    expect(await partition(visitor)).toEqual([
      { pk: consentKey(PSEUDONYM_KEY, SITE, visitor), sk: 'erased', expiresAt: expect.any(Number) },
    ])

    const final: ErasureStatus | null = await settled(visitor, status.erasureId)
    await system.queues.drained()
    expect(final?.state).toBe('done')
    expect(final?.vendors.ga4?.state).toBe('done')
    for (const vendor of ['meta', 'linkedin'] as const) {
      expect(final?.vendors[vendor]?.state).toBe('no-deletion-api')
      expect(final?.vendors[vendor]?.detail).toMatch(/https:\/\/www\.(facebook|linkedin)\.com\//)
    }
    expect(final?.vendors.hubspot).toEqual({
      state: 'no-deletion-api',
      detail: 'needs the visitor’s e-mail from an admin request',
    })

    const [tokenRequest] = to('/token')
    expect(tokenRequest && assertionViolations(tokenRequest)).toEqual([])
    const [deletion] = to(DELETION_PATH)
    expect(deletion && deletionViolations(deletion, ga4ClientId(PSEUDONYM_KEY, SITE, visitor))).toEqual([])

    // Accepted = delivered + withheld + dead-lettered: both events settled, withheld after the erasure.
    expect(finalOutcomes(['erase-1-a', 'erase-1-b'])).toEqual([
      'withheld: the visitor erased their data',
      'withheld: the visitor erased their data',
    ])
    expect(system.queues.deadLettered('ga4')).toEqual([])

    // An event sent later under the erased id is decided at the edge: forwarded to nobody.
    await send('POST', '/v1/track', { anonymousId: visitor, messageId: 'erase-1-c', event: 'Kettle Viewed' })
    const later = system.outbox.decisions.toArray().filter((decision) => decision.messageId === 'erase-1-c')
    expect(later).toEqual([
      { messageId: 'erase-1-c', vendor: null, allow: false, reason: 'the visitor erased their data' },
    ])
    expect(await partition(visitor)).toHaveLength(1)
    const outbox = JSON.stringify(system.outbox.toJSON())
    expect(outbox).not.toContain(ACCESS_TOKEN)
    expect(outbox).toContain('assertion=[redacted]')
  })

  it('sends HubSpot a GDPR delete for the e-mail an admin gives, and keeps the e-mail nowhere', async () => {
    const visitor = 'visitor-erase-2'
    const email = 'Grace.Hopper@Example.org'
    await send('PUT', '/v1/consent', { anonymousId: visitor, purposes: { analytics: true } })
    const status = await erasure.erase({ siteId: SITE, anonymousId: visitor }, { email })
    const final = await settled(visitor, status.erasureId)
    expect(final?.vendors.hubspot?.state).toBe('done')
    const [gdprDelete] = to('/crm/v3/objects/contacts/gdpr-delete')
    expect(gdprDelete?.headers.authorization).toBe(`Bearer ${HUBSPOT_TOKEN}`)
    expect(JSON.parse(gdprDelete?.body ?? '')).toEqual({
      objectId: 'grace.hopper@example.org',
      idProperty: 'email',
    })
    const everything = JSON.stringify(
      await client.send(
        new QueryCommand({
          TableName: CONSENT_TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `erasure#${status.erasureId}` },
        }),
      ),
    )
    expect(everything.toLowerCase()).not.toContain('grace.hopper')
    expect(JSON.stringify(system.outbox.toJSON()).toLowerCase()).not.toContain('grace.hopper')
  })

  it('retries an erase request GA4 answers 503 and dead-letters it with the reason after the last try', async () => {
    deletionDown = true
    const visitor = 'visitor-erase-3'
    const before = to(DELETION_PATH).length
    const status = await erasure.erase({ siteId: SITE, anonymousId: visitor })
    const final = await settled(visitor, status.erasureId)
    deletionDown = false
    expect(final?.state).toBe('failed')
    expect(final?.vendors.ga4?.state).toBe('failed')
    expect(final?.vendors.ga4?.detail).toContain('ga4 answered 503')
    expect(to(DELETION_PATH).length - before).toBe(MAX_RECEIVE_COUNT)
    const parked = system.queues
      .deadLettered('ga4')
      .filter((letter) => letter.body.includes(status.erasureId))
    expect(parked).toHaveLength(1)
    expect(parked[0]?.reason).toContain('ga4 answered 503')
  })
})
