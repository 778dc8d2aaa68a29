import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CapturedRequest, type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { linkedinRequestViolations } from '../support/linkedin-validator.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'
import { capturedAsVendorRequest } from '../support/vendor-request.ts'

const WRITE_KEY = 'linkedin-e2e-write-key'
const ORIGIN = 'https://www.example.com'
const ACCESS_TOKEN = 'e2e-linkedin-access-token'
const LI_FAT_ID = '5b0c7e2a-8f3d-4c1e-9a6b-2d4f8e1c3a5b'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const VISITORS = { marketing: 'li-visitor-marketing', analyticsOnly: 'li-visitor-analytics-only' }

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

interface LinkedinElement {
  conversion: string
  eventId: string
  user: { userIds: Array<{ idType: string; idValue: string }> }
}

/**
 * LinkedIn (and Meta) switched on through `npm start`: a marketing-consented visitor's mapped
 * conversion reaches the LinkedIn stand-in with the hashed e-mail kept from identify and the
 * `li_fat_id` of the landing URL; an analytics-only visitor reaches neither LinkedIn nor Meta.
 */
describe('the local system with LinkedIn enabled, against a loopback Conversions API', () => {
  let vendors: CaptureServer
  let system: LocalProcess

  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
  const send = (path: string, body: object) =>
    fetch(`${system.url}${path}`, {
      method: path === '/v1/consent' ? 'PUT' : 'POST',
      headers: {
        authorization,
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
      },
      body: JSON.stringify(body),
    })
  const linkedinRequests = () =>
    vendors.requests.filter((request) => request.path === '/rest/conversionEvents')
  const elements = () =>
    linkedinRequests().flatMap(
      (request) => (JSON.parse(request.body) as { elements: LinkedinElement[] }).elements,
    )
  const outbox = async () =>
    (await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as {
      decisions: Array<{ vendor: string | null; allow: boolean; reason: string; dropped?: unknown[] }>
      queued: unknown[]
      deliveries: unknown[]
    }

  beforeAll(async () => {
    vendors = await startCaptureServer()
    system = await startLocalProcess({
      TAGWARDEN_CONFIG_JSON: JSON.stringify({
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-E2ELI' },
          meta: { enabled: true, pixelId: '1234567890' },
          linkedin: {
            enabled: true,
            conversions: [{ event: 'Signed Up', conversion: 'urn:lla:llaPartnerConversion:4242' }],
          },
        },
      }),
      TAGWARDEN_VENDOR_BASE_URL: vendors.url,
      TAGWARDEN_LINKEDIN_CREDENTIALS: JSON.stringify({ accessToken: ACCESS_TOKEN }),
    })
    expect(
      (
        await send('/v1/consent', {
          anonymousId: VISITORS.marketing,
          purposes: { analytics: true, marketing: true },
        })
      ).status,
    ).toBe(200)
    expect(
      (await send('/v1/consent', { anonymousId: VISITORS.analyticsOnly, purposes: { analytics: true } }))
        .status,
    ).toBe(200)
    for (const visitor of Object.values(VISITORS)) {
      expect(
        (await send('/v1/identify', { anonymousId: visitor, traits: { email: ` ${visitor}@Example.org ` } }))
          .status,
      ).toBe(200)
      const page = { url: `${ORIGIN}/welcome?li_fat_id=${LI_FAT_ID}&utm_source=ads` }
      for (const event of ['Signed Up', 'Viewed Pricing']) {
        expect((await send('/v1/track', { anonymousId: visitor, event, context: { page } })).status).toBe(200)
      }
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

  it('sends the marketing visitor’s mapped conversion, and only it, in requests LinkedIn’s rules accept', () => {
    expect(elements().map((element) => element.conversion)).toEqual(['urn:lla:llaPartnerConversion:4242'])
    for (const request of linkedinRequests()) {
      expect(
        linkedinRequestViolations(
          capturedAsVendorRequest(request, vendors.url, 'linkedin', eventIdsOf(request)),
          new Date(),
          {
            allowOrigin: vendors.url,
          },
        ),
      ).toEqual([])
      expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`)
    }
  })

  it('identifies the visitor by the hashed e-mail kept from identify and the li_fat_id of the landing URL', () => {
    expect(elements()[0]?.user.userIds).toEqual(
      expect.arrayContaining([
        { idType: 'SHA256_EMAIL', idValue: sha256(`${VISITORS.marketing}@example.org`) },
        { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: LI_FAT_ID },
      ]),
    )
    expect(JSON.stringify(linkedinRequests())).not.toContain('@')
  })

  it('sends nothing to LinkedIn or Meta for the analytics-only visitor, and the trace says why', async () => {
    const bodies = vendors.requests
      .filter((request) => request.path !== '/mp/collect')
      .map((request) => request.body)
      .join('\n')
    expect(bodies).not.toContain(sha256(`${VISITORS.analyticsOnly}@example.org`))
    const { decisions } = await outbox()
    const refusedForLinkedin = decisions.filter(
      (decision) => decision.vendor === 'linkedin' && !decision.allow,
    )
    expect(refusedForLinkedin.map((decision) => decision.reason)).toContain(
      'stored consent refuses marketing',
    )
    // An event that maps to no conversion rule is not sent, and the decision says so.
    expect(JSON.stringify(refusedForLinkedin)).toMatch(/conversion rule/i)
  })
})

/** What the request carries, as the deliverer knew it: one messageId (= eventId) per element. */
function eventIdsOf(request: CapturedRequest): string[] {
  return (JSON.parse(request.body) as { elements: LinkedinElement[] }).elements.map(
    (element) => element.eventId,
  )
}
