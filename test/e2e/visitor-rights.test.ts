import { generateKeyPairSync } from 'node:crypto'
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'
import { visitorJar } from '../support/visitor-cookie.ts'

const WRITE_KEY = 'rights-e2e-write-key'
const ORIGIN = 'https://www.example.com'
const PROPERTY_ID = '456789012'
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })

interface Delivery {
  vendor: string
  messageId: string
  outcome: string
  reason: string
}

/**
 * A visitor's rights through `npm start`, as a site's page would call them with the visitor's cookie:
 * consent, events to GA4 and Meta, an export that lists both deliveries, a restriction under which
 * nothing reaches anyone, then an erasure after which nothing is stored and GA4's deletion stand-in
 * holds a valid request.
 */
describe('visitors’ rights through npm start', () => {
  let vendors: CaptureServer
  let system: LocalProcess
  const browser = visitorJar()

  const call = (method: string, path: string, body: { anonymousId: string } & Record<string, unknown>) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER,
        ...browser.headerFor(body.anonymousId),
      },
      body: JSON.stringify(body),
    }).then(async (response) => {
      browser.keep(body.anonymousId, response.headers.get('set-cookie'))
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    })
  const deliveries = async () =>
    ((await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as { deliveries: Delivery[] })
      .deliveries
  const decisionsOf = async (messageId: string) =>
    (
      (await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as {
        decisions: Array<{ messageId: string; vendor: string | null; allow: boolean; reason: string }>
      }
    ).decisions.filter((d) => d.messageId === messageId)
  const outcomesOf = async (messageId: string) =>
    (await deliveries()).filter((d) => d.messageId === messageId).map((d) => `${d.vendor}:${d.outcome}`)

  beforeAll(async () => {
    vendors = await startCaptureServer({
      respond: (request) =>
        request.path === '/token'
          ? { status: 200, body: JSON.stringify({ access_token: 'ya29.e2e', expires_in: 3600 }) }
          : request.path.endsWith(':submitUserDeletion')
            ? { status: 200, body: '{}' }
            : request.path.endsWith('/events')
              ? { status: 200, body: JSON.stringify({ events_received: 1 }) }
              : { status: 204 },
    })
    system = await startLocalProcess({
      TAGWARDEN_CONFIG_JSON: JSON.stringify({
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-RIGHTS1', propertyId: PROPERTY_ID },
          meta: { enabled: true, pixelId: '123456789012345' },
        },
      }),
      TAGWARDEN_VENDOR_BASE_URL: vendors.url,
      TAGWARDEN_GA4_CREDENTIALS: JSON.stringify({
        apiSecret: 'e2e-api-secret',
        serviceAccount: {
          client_email: 'eraser@tagwarden-e2e.iam.gserviceaccount.com',
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          token_uri: `${vendors.url}/token`,
        },
      }),
      TAGWARDEN_META_CREDENTIALS: JSON.stringify({ accessToken: 'e2e-meta-token' }),
    })
  }, 60_000)

  afterAll(async () => {
    await system?.stop()
    await vendors?.close()
  })

  it('exports every delivery, restricts, then erases everything and asks GA4 to delete', async () => {
    const both = { analytics: true, marketing: true }
    expect((await call('PUT', '/v1/consent', { anonymousId: 'ada', purposes: both })).status).toBe(200)
    expect((await call('PUT', '/v1/consent', { anonymousId: 'bob', purposes: both })).status).toBe(200)
    const track = (anonymousId: string, messageId: string) =>
      call('POST', '/v1/track', {
        anonymousId,
        messageId,
        event: 'Order Completed',
        properties: { value: 9, currency: 'EUR' },
        context: { page: { url: `${ORIGIN}/checkout/done` } },
      })
    await track('ada', 'ada-1')
    await eventually(async () => ((await outcomesOf('ada-1')).length === 2 ? true : undefined), 20_000)
    expect(new Set(await outcomesOf('ada-1'))).toEqual(new Set(['ga4:delivered', 'meta:delivered']))

    // Access: the export lists the consent and what both vendors were sent.
    const exported = await call('POST', '/v1/privacy/export', { anonymousId: 'ada' })
    expect(exported.status).toBe(200)
    expect(exported.body.consent).toMatchObject({ current: { purposes: both } })
    const ledger = exported.body.deliveries as Array<{ vendor: string; messageId: string; outcome: string }>
    expect(new Set(ledger.map((entry) => `${entry.vendor}:${entry.messageId}:${entry.outcome}`))).toEqual(
      new Set(['ga4:ada-1:delivered', 'meta:ada-1:delivered']),
    )
    // Without the cookie, the same request learns nothing (the answer an unknown id gets).
    const stranger = await fetch(`${system.url}/v1/privacy/export`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        origin: ORIGIN,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ anonymousId: 'ada' }),
    })
    expect(stranger.status).toBe(404)

    // Restriction: bob's events reach nobody.
    expect(
      (await call('POST', '/v1/privacy/restrict', { anonymousId: 'bob', restricted: true })).status,
    ).toBe(200)
    await track('bob', 'bob-1')
    await track('ada', 'ada-2')
    await eventually(async () => ((await outcomesOf('ada-2')).length === 2 ? true : undefined), 20_000)
    const bob = await decisionsOf('bob-1')
    expect(bob.map((d) => d.vendor).sort()).toEqual(['ga4', 'meta'])
    expect(bob.every((d) => !d.allow && d.reason === 'restricted by the visitor (GDPR Art. 18)')).toBe(true)
    expect(await outcomesOf('bob-1')).toEqual([])

    // Erasure: nothing stored afterwards, the cookie cleared, GA4 asked to delete.
    const erased = await call('POST', '/v1/privacy/erase', { anonymousId: 'ada' })
    expect(erased.status).toBe(202)
    const erasureId = String(erased.body.erasureId)
    const status = await eventually(async () => {
      const answer = await call('POST', '/v1/privacy/erase/status', { anonymousId: 'ada', erasureId })
      return answer.body.state === 'pending' ? undefined : answer.body
    }, 30_000)
    expect(status).toMatchObject({
      state: 'done',
      vendors: {
        ga4: { state: 'done' },
        meta: { state: 'no-deletion-api' },
        linkedin: { state: 'no-deletion-api' },
        // Never configured here: nothing of the visitor was ever sent to it.
        hubspot: { state: 'done', detail: expect.stringContaining('never configured') },
      },
    })
    const deletion = vendors.requests.find((request) => request.path.endsWith(':submitUserDeletion'))
    expect(deletion?.path).toBe(`/v1alpha/properties/${PROPERTY_ID}:submitUserDeletion`)
    expect(deletion?.headers.authorization).toBe('Bearer ya29.e2e')
    expect(Object.keys(JSON.parse(deletion?.body ?? '{}'))).toEqual(['clientId'])
    expect((await call('POST', '/v1/privacy/export', { anonymousId: 'ada' })).status).toBe(404)
    await track('ada', 'ada-3')
    expect(await decisionsOf('ada-3')).toEqual([
      expect.objectContaining({ vendor: null, allow: false, reason: 'the visitor erased their data' }),
    ])
  }, 120_000)

  it('left no item about a visitor without its expiry, in any table', async () => {
    const dynamo = new DynamoDBClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    try {
      for (const table of ['tagwarden-consent', 'tagwarden-idempotency']) {
        const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: table }))
        expect(Items.length, table).toBeGreaterThan(0)
        const lasting = Items.filter((item) => item.expiresAt?.N === undefined).map((item) => item.sk?.S)
        expect(lasting, table).toEqual([])
      }
      // The config table holds settings, versions, audit and status, none of it about a visitor;
      // its audit entries expire too.
      const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: 'tagwarden-config' }))
      const audit = Items.filter((item) => item.pk?.S?.startsWith('audit#'))
      expect(audit.every((item) => item.expiresAt?.N !== undefined)).toBe(true)
    } finally {
      dynamo.destroy()
    }
  })
})
