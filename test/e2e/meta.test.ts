import { createHash } from 'node:crypto'
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'
import { metaRequestViolations } from '../support/meta-validator.ts'
import { capturedAsVendorRequest } from '../support/vendor-request.ts'
import { visitorCookieOf } from '../support/visitor-cookie.ts'

const WRITE_KEY = 'meta-e2e-write-key'
const ORIGIN = 'https://www.example.com'
const PIXEL_ID = '1234567890'
const ACCESS_TOKEN = 'e2e-meta-access-token'
const VISITOR_IP = '198.51.100.23'
const BROWSER_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'
const FBP = 'fb.1.1717171717171.1234567890'
const TRAITS = {
  email: ' Jane.Roe@Example.org ',
  phone: '+49 30 5550172',
  firstName: 'Jane',
  lastName: 'Roe',
}
const VISITORS = {
  marketing: 'meta-visitor-marketing',
  analyticsOnly: 'meta-visitor-analytics-only',
  gpc: 'meta-visitor-gpc',
  revoked: 'meta-visitor-revoked',
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

interface MetaServerEvent {
  event_name: string
  event_id: string
  user_data: Record<string, unknown>
  custom_data?: Record<string, unknown>
}

/**
 * Meta switched on in the config file: a marketing-consented visitor's identify traits and `_fbp`
 * cookie reach the Meta stand-in hashed (and later events carry the remembered traits), while an
 * analytics-only, a GPC and a revoked visitor reach it with nothing.
 */
describe('the local system with Meta enabled, against a loopback Graph API', () => {
  let vendors: CaptureServer
  let system: LocalProcess

  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
  const send = (path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${system.url}${path}`, {
      method: path === '/v1/consent' ? 'PUT' : 'POST',
      headers: {
        authorization,
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
        'x-forwarded-for': VISITOR_IP,
        ...headers,
      },
      body: JSON.stringify(body),
    })
  const metaRequests = () => vendors.requests.filter((request) => request.path.endsWith('/events'))
  const metaEvents = () =>
    metaRequests().flatMap((request) => (JSON.parse(request.body) as { data: MetaServerEvent[] }).data)
  const outbox = async () =>
    (await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as {
      decisions: Array<{ messageId: string; vendor: string | null; allow: boolean; reason: string }>
      queued: unknown[]
      deliveries: Array<{ messageId: string; outcome: string }>
      requests: Array<{ vendor: string; url: string }>
    }

  beforeAll(async () => {
    vendors = await startCaptureServer()
    system = await startLocalProcess({
      TAGWARDEN_CONFIG_JSON: JSON.stringify({
        trustProxy: true,
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-E2EMETA' },
          meta: { enabled: true, pixelId: PIXEL_ID, eventNames: { 'Signed Up': 'CompleteRegistration' } },
        },
      }),
      TAGWARDEN_VENDOR_BASE_URL: vendors.url,
      TAGWARDEN_META_CREDENTIALS: JSON.stringify({ accessToken: ACCESS_TOKEN }),
    })

    const both = { analytics: true, marketing: true }
    const tokens = new Map<string, string>()
    for (const [visitor, purposes] of [
      [VISITORS.marketing, both],
      [VISITORS.analyticsOnly, { analytics: true, marketing: false }],
      [VISITORS.gpc, both],
      [VISITORS.revoked, both],
    ] as const) {
      const consented = await send('/v1/consent', { anonymousId: visitor, purposes })
      expect(consented.status).toBe(200)
      tokens.set(visitor, visitorCookieOf(consented.headers.get('set-cookie')) ?? '')
    }
    const revoked = await fetch(`${system.url}/v1/consent/${VISITORS.revoked}`, {
      method: 'DELETE',
      headers: { authorization, cookie: tokens.get(VISITORS.revoked) ?? '' },
    })
    expect(revoked.status).toBe(200)

    // The marketing visitor identifies once; the later page view and sign-up carry the kept hashes.
    const cookie = { cookie: `_fbp=${FBP}; _ga=GA1.1.999.888; session=opaque` }
    expect(
      (await send('/v1/identify', { anonymousId: VISITORS.marketing, traits: TRAITS }, cookie)).status,
    ).toBe(200)
    for (const [label, visitor] of Object.entries(VISITORS)) {
      const headers = visitor === VISITORS.gpc ? { ...cookie, 'sec-gpc': '1' } : cookie
      const page = { url: `${ORIGIN}/pricing?fbclid=IwAR${label}Abc_123&utm_source=news` }
      expect(
        (await send('/v1/page', { anonymousId: visitor, name: 'Pricing', context: { page } }, headers))
          .status,
      ).toBe(200)
      const signup = {
        anonymousId: visitor,
        event: label === 'marketing' ? 'Signed Up' : `Signup ${label}`,
        context: { page },
        properties: { value: 12.5, currency: 'EUR' },
      }
      expect((await send('/v1/track', signup, headers)).status).toBe(200)
    }
    await eventually(async () => {
      const { queued, deliveries } = await outbox()
      return queued.length > 0 && deliveries.length >= queued.length ? true : undefined
    })
  }, 60_000)

  afterAll(async () => {
    await system?.stop()
    await vendors?.close()
  })

  it('sends the marketing visitor’s page view and sign-up to Meta in requests Meta’s rules accept', () => {
    expect(
      metaEvents()
        .map((event) => event.event_name)
        .sort(),
    ).toEqual(['CompleteRegistration', 'PageView'])
    for (const request of metaRequests()) {
      expect(request.path).toBe(`/v25.0/${PIXEL_ID}/events`)
      expect(
        metaRequestViolations(capturedAsVendorRequest(request, vendors.url, 'meta'), new Date(), {
          allowOrigin: vendors.url,
        }),
      ).toEqual([])
    }
  })

  it('carries the identify traits hashed per Meta’s rules, the _fbp cookie, an fbc from fbclid and the full user agent', () => {
    for (const event of metaEvents()) {
      expect(event.user_data).toMatchObject({
        em: [sha256('jane.roe@example.org')],
        ph: [sha256('49305550172')],
        fn: [sha256('jane')],
        ln: [sha256('roe')],
        fbp: FBP,
        client_user_agent: BROWSER_UA,
      })
      expect(event.user_data.fbc).toMatch(/^fb\.1\.\d{13}\.IwARmarketingAbc_123$/)
      expect(event.user_data.external_id).toEqual([expect.stringMatching(/^[a-f0-9]{64}$/)])
      expect(event.user_data).not.toHaveProperty('client_ip_address')
    }
    expect(metaEvents().find((event) => event.event_name === 'CompleteRegistration')?.custom_data).toEqual({
      value: 12.5,
      currency: 'EUR',
    })
  })

  it('sends nothing to Meta for the analytics-only, the GPC and the revoked visitor, and says why', async () => {
    const bodies = metaRequests()
      .map((request) => request.body)
      .join('\n')
    for (const label of ['analyticsOnly', 'gpc', 'revoked']) expect(bodies).not.toContain(label)
    const metaReasons = (await outbox()).decisions
      .filter((decision) => decision.vendor === 'meta' && !decision.allow)
      .map((decision) => decision.reason)
    expect(metaReasons).toContain('stored consent refuses marketing')
    expect(metaReasons).toContain('Sec-GPC: 1 objects to marketing')
    // GA4 still takes the analytics-only visitor: Meta's refusal is Meta's alone.
    const ga4Bodies = vendors.requests.filter((request) => request.path === '/mp/collect').map((r) => r.body)
    expect(ga4Bodies.join('\n')).toContain('signup_analytics_only')
  })

  it('shows Meta’s requests in the outbox with the access token redacted, and never logs it', async () => {
    const metaInOutbox = (await outbox()).requests.filter((request) => request.vendor === 'meta')
    expect(metaInOutbox.length).toBeGreaterThan(0)
    for (const request of metaInOutbox) expect(request.url).toContain('access_token=[redacted]')
    expect(JSON.stringify(await outbox())).not.toContain(ACCESS_TOKEN)
    expect(system.output()).not.toContain(ACCESS_TOKEN)
  })

  it('keeps raw traits, the raw IP and the visitor id out of every request, queue message, table item and log line', async () => {
    const dynamo = new DynamoDBClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    const items = await dynamo.send(new ScanCommand({ TableName: 'tagwarden-consent' }))
    dynamo.destroy()
    const places = {
      'vendor requests': JSON.stringify(vendors.requests),
      'queue messages': JSON.stringify((await outbox()).queued),
      'table items': JSON.stringify(items.Items),
      'log lines': system.output(),
    }
    for (const [place, text] of Object.entries(places)) {
      for (const raw of [VISITOR_IP, 'Jane.Roe', 'jane.roe@example.org', '5550172']) {
        expect(text, `${place}: ${raw}`).not.toContain(raw)
      }
      // The _fbp cookie is Meta's own id: it travels in Meta's payload, never into a table or a log.
      if (place === 'table items' || place === 'log lines') expect(text, place).not.toContain(FBP)
      if (place !== 'log lines') expect(text, place).not.toContain(VISITORS.marketing)
    }
    // The hashed traits are kept with the consent record, and only for the visitor allowing marketing.
    const traitItems = (items.Items ?? []).filter((item) => item.sk?.S === 'traits')
    expect(traitItems).toHaveLength(1)
    expect(JSON.stringify(traitItems)).toContain(sha256('jane.roe@example.org'))
  })
})
