import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '#shared/config/load.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Dispatch, VendorMessage } from '#shared/delivery/message.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import type { Redaction } from '#shared/privacy/pii-policy.ts'
import { bindVendor } from '#shared/vendors/adapter.ts'
import { VENDORS, type VendorId } from '#shared/vendors/index.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'
import { ga4Adapter } from '../support/ga4.ts'
import { cardWritten, ibanWritten, phoneNumber } from '../unit/privacy/detectors/generators.ts'
import { readableForms } from '../unit/privacy/generators.ts'

/**
 * The PII firewall end to end: each kind of personal data, in each encoding, in each field of an event,
 * through the real collect handler (JSON routes and the pixel), must not reach the GA4 request built
 * from the queued message, the queued message itself, or any decision or error the collector reports.
 */

const PSEUDONYM_KEY = 'pii-firewall-pseudonym-key'
const WRITE_KEY = 'pii-firewall-write-key'
const ORIGIN = 'https://www.example.com'
/** LinkedIn and HubSpot send only with an id of theirs: their first-party cookies stand in for one. */
const VENDOR_COOKIES =
  'li_fat_id=df8d7a3c-1b2e-4f5a-9c8d-7e6f5a4b3c2d; hubspotutk=0123456789abcdef0123456789abcdef'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

/**
 * Every vendor in VENDORS, and every visitor consenting to every purpose: each vendor takes every
 * event, so nothing hides behind consent. A vendor added to VENDORS must be added here (type error).
 */
const VENDOR_FIXTURES: { [Id in VendorId]: { settings: object; credentials: unknown } } = {
  ga4: { settings: { measurementId: 'G-TEST123' }, credentials: { apiSecret: 'secret' } },
  meta: { settings: { pixelId: '1234567890' }, credentials: { accessToken: 'token' } },
  linkedin: {
    settings: {
      conversions: [
        { event: 'Viewed Offer', conversion: 'urn:lla:llaPartnerConversion:1' },
        { pagePath: '/**', conversion: 'urn:lla:llaPartnerConversion:2' },
      ],
    },
    credentials: { accessToken: 'token' },
  },
  hubspot: {
    settings: {
      portalId: '1234567',
      eventNames: { 'Viewed Offer': 'viewed_offer' },
      pageViewEventName: 'page_viewed',
      pageUrlProperty: 'page_url',
      properties: ['plan', 'note'],
    },
    credentials: { accessToken: 'token' },
  },
}
const config = parseConfig({
  sites: [{ id: 'example', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: Object.fromEntries(
    VENDORS.map(({ id }) => [id, { ...VENDOR_FIXTURES[id].settings, enabled: true }]),
  ),
})
/** Each vendor bound as its deliverer binds it, to build the requests a queued message turns into. */
const adapters = new Map(
  VENDORS.map((vendor) => {
    const settings = config.vendors[vendor.id]
    if (!settings) throw new Error(`${vendor.id} must be configured`)
    const bound = bindVendor(vendor, settings, VENDOR_FIXTURES[vendor.id].credentials, {
      now: () => new Date(),
    })
    return [vendor.id as string, bound]
  }),
)
function requestsFor(messages: ReadonlyArray<VendorMessage>): VendorRequest[] {
  return [...adapters].flatMap(([vendor, adapter]) => {
    const payloads = messages.flatMap((message) => {
      if (message.vendor !== vendor) return []
      const payload = adapter.parsePayload(message.payload)
      return payload ? [{ messageId: message.messageId, payload }] : []
    })
    return payloads.length > 0 ? adapter.buildRequests(payloads) : []
  })
}
/** Whoever the visitor is, they allow analytics and marketing (for a year from now). */
function consentingToEverything(): ConsentStore {
  const recordOf = (consentKey: string, now: Date): ConsentRecord => ({
    consentKey,
    purposes: { analytics: true, marketing: true },
    policyVersion: '2018-05',
    receiptId: 'receipt',
    updatedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + 365 * 86_400,
  })
  return {
    current: async (consentKey, now) => recordOf(consentKey, now),
    currentMany: async (keys, now) => new Map(keys.map((key) => [key, recordOf(key, now)])),
    record: async () => {},
    history: async () => [],
  }
}

const ga4Settings = config.vendors.ga4
if (!ga4Settings) throw new Error('GA4 must be configured')
const ga4 = ga4Adapter(ga4Settings, 'secret')

const letters = (min: number, max: number) => fc.stringMatching(new RegExp(`^[g-z]{${min},${max}}$`))

/** Letters and digits only, lower-cased: how a value still reads after snake-casing (`jane_example_org`). */
function squeezed(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')
}

interface PiiKind {
  value: fc.Arbitrary<string>
  /** Whether the output shows the value in any form a reader could decode. */
  reveals(output: string, value: string): boolean
}

const revealsSqueezed = (output: string, value: string) =>
  readableForms(output).some((form) => squeezed(form).includes(squeezed(value)))
const revealsDigits = (output: string, value: string) =>
  readableForms(output).some((form) => form.replace(/\D/g, '').includes(value.replace(/\D/g, '')))

const KINDS: Record<string, PiiKind> = {
  'e-mail': {
    value: fc
      .tuple(
        letters(5, 9),
        letters(3, 6),
        fc.constantFrom('example.org', 'bücher.de', 'xn--bcher-kva.de', 'пример.рф'),
      )
      .map(([first, last, domain]) => `${first}.${last}@${domain}`),
    reveals: revealsSqueezed,
  },
  phone: { value: phoneNumber, reveals: revealsDigits },
  'card number': { value: cardWritten, reveals: revealsDigits },
  IBAN: { value: ibanWritten, reveals: revealsSqueezed },
  'IPv4 address': {
    value: fc
      .tuple(fc.ipV4(), fc.integer({ min: 1, max: 254 }))
      .map(([ip, last]) => ip.replace(/\d+$/, String(last))),
    reveals: (output, ip) =>
      readableForms(output).some((form) =>
        new RegExp(`(?<![\\d.])${ip.replaceAll('.', '\\.')}(?!\\d)`).test(form),
      ),
  },
  'bearer token': {
    value: fc
      .stringMatching(/^[A-Za-z0-9_-]{30,40}$/)
      .map((random) => `eyJhbGciOiJIUzI1NiJ9.eyJ${random}.sig${random.slice(0, 8)}`),
    reveals: (output, token) => readableForms(output).some((form) => form.includes(token.slice(0, 30))),
  },
}

/** How the value is written into the field: as is, percent-encoded once or twice, with `+` for spaces. */
const ENCODINGS: Record<string, (value: string) => string> = {
  plain: (value) => value,
  encoded: (value) => encodeURIComponent(value),
  'encoded twice': (value) => encodeURIComponent(encodeURIComponent(value)),
  'at-sign encoded': (value) => value.replace('@', '%40'),
  'at-sign encoded twice': (value) => value.replace('@', '%2540'),
  'plus for space': (value) => value.replaceAll(' ', '+'),
}
const encoding = fc.constantFrom(...Object.entries(ENCODINGS))

type Invoke = (
  event: ReturnType<typeof apiEvent>,
  context: ReturnType<typeof lambdaContext>,
) => Promise<{ statusCode?: number; body?: string }>
type Send = (pii: string, visitorId: string) => ReturnType<Invoke>

/** Every field kind a site can fill, through the JSON routes and through the pixel. */
function placements(handler: Invoke): Record<string, Send> {
  // A page URL by default: Meta takes only website events that name the page they happened on.
  const track = (visitorId: string, { context, ...fields }: Record<string, unknown>) =>
    handler(
      apiEvent({
        method: 'POST',
        path: '/v1/track',
        body: {
          anonymousId: visitorId,
          event: 'Viewed Offer',
          ...fields,
          context: { page: { url: `${ORIGIN}/offer` }, ...(context as object | undefined) },
        },
        headers: {
          authorization: basicAuthorization(WRITE_KEY),
          origin: ORIGIN,
          'user-agent': BROWSER_UA,
          cookie: VENDOR_COOKIES,
        },
      }),
      lambdaContext(),
    )
  const page = (visitorId: string, url: string, extra: Record<string, unknown> = {}) =>
    track(visitorId, { context: { page: { url, ...extra } } })
  const pixel = (visitorId: string, query: Record<string, string>) =>
    handler(
      apiEvent({
        method: 'GET',
        path: '/p.gif',
        query: { k: WRITE_KEY, aid: visitorId, t: 'track', e: 'Viewed Offer', ...query },
        headers: { 'user-agent': BROWSER_UA, referer: `${ORIGIN}/landing`, cookie: VENDOR_COOKIES },
      }),
      lambdaContext(),
    )
  return {
    'event name': (pii, id) => track(id, { event: `Contact ${pii}` }),
    'query value': (pii, id) => page(id, `${ORIGIN}/offer?lang=de&q=${pii}`),
    'query key': (pii, id) => page(id, `${ORIGIN}/offer?${pii}=1&lang=de`),
    'path segment': (pii, id) => page(id, `${ORIGIN}/u/${pii}/edit`),
    fragment: (pii, id) => page(id, `${ORIGIN}/offer#${pii}`),
    'fragment parameter': (pii, id) => page(id, `${ORIGIN}/offer#state=1&hint=${pii}`),
    title: (pii, id) => page(id, `${ORIGIN}/offer`, { title: `Profile of ${pii}` }),
    referrer: (pii, id) =>
      page(id, `${ORIGIN}/offer`, { referrer: `https://other.example/r/${pii}?from=${pii}` }),
    'campaign field': (pii, id) => page(id, `${ORIGIN}/offer?utm_source=news&utm_campaign=${pii}`),
    'property value': (pii, id) => track(id, { properties: { note: `call ${pii} soon`, plan: 'pro' } }),
    'property key': (pii, id) => track(id, { properties: { [pii]: 'x', plan: 'pro' } }),
    'session id': (pii, id) => track(id, { context: { sessionId: pii } }),
    'message id': (pii, id) => track(id, { messageId: `m-${pii}` }),
    'pixel event name': (pii, id) => pixel(id, { e: `Contact ${pii}` }),
    'pixel url': (pii, id) => pixel(id, { url: `${ORIGIN}/u/${pii}?q=${pii}` }),
    'pixel title': (pii, id) => pixel(id, { title: `Profile of ${pii}` }),
    'pixel referrer': (pii, id) => pixel(id, { ref: `https://other.example/?q=${pii}` }),
    'pixel property': (pii, id) => pixel(id, { 'p.note': pii }),
    'pixel property key': (pii, id) => pixel(id, { [`p.${pii}`]: '1' }),
  }
}

const PLACEMENT_NAMES = Object.keys(placements(async () => ({})))

describe('PII firewall: no personal data reaches any vendor, a queue message or the decision trace', () => {
  let queued: VendorMessage[]
  let reported: unknown[]
  let handler: ReturnType<typeof createCollectHandler>

  beforeEach(() => {
    queued = []
    reported = []
    const dispatch: Dispatch = {
      enqueue: async (_vendor, messages) => {
        queued.push(...messages)
      },
    }
    handler = createCollectHandler({
      config,
      consent: consentingToEverything(),
      dispatch,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: () => new Date(),
      onDecision: (decision: DecisionRecord) => reported.push(decision),
      reportError: (error) => reported.push(error instanceof Error ? error.message : error),
    })
  })

  /** The PII policy's trace entries in the decisions reported for the request. */
  function redactionsReported(): Redaction[] {
    return reported.flatMap((entry) =>
      typeof entry === 'object' && entry !== null && 'redactions' in entry && Array.isArray(entry.redactions)
        ? entry.redactions
        : [],
    )
  }

  /** Every string that left: GA4 request URLs and body values, queue messages, decisions and errors. */
  function everythingThatLeft(): string[] {
    const strings: string[] = []
    const walk = (value: unknown): void => {
      if (typeof value === 'string') strings.push(value)
      else if (Array.isArray(value)) value.forEach(walk)
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          strings.push(key)
          walk(inner)
        }
      }
    }
    const requests = requestsFor(queued)
    expect(requests.flatMap((request) => request.messageIds)).toHaveLength(queued.length)
    for (const request of requests) {
      strings.push(request.url)
      walk(JSON.parse(request.body))
    }
    walk(queued)
    walk(reported)
    return strings
  }

  for (const [kindName, kind] of Object.entries(KINDS)) {
    describe(kindName, () => {
      for (const where of PLACEMENT_NAMES) {
        // Message and session ids are random strings by design: a token there identifies no one.
        if (kindName === 'bearer token' && (where === 'message id' || where === 'session id')) continue
        it(`in the ${where}`, async () => {
          await fc.assert(
            fc.asyncProperty(
              kind.value,
              encoding,
              letters(10, 14),
              async (value, [, encode], visitorSuffix) => {
                queued = []
                reported = []
                const visitorId = `v-${visitorSuffix}`
                const response = await placements(handler)[where]?.(encode(value), visitorId)
                // A value too long for its field is refused with a 400 naming the field, not echoing it.
                if (response?.statusCode !== 400) {
                  expect(queued.length).toBeGreaterThan(0)
                  expect(redactionsReported()).not.toEqual([])
                }
                const leaked = [...everythingThatLeft(), String(response?.body)].filter((text) =>
                  kind.reveals(text, value),
                )
                expect(leaked).toEqual([])
              },
            ),
            { numRuns: 25 },
          )
        })
      }
    })
  }

  it('puts every vendor under test: each one queues the placed events', async () => {
    for (const where of ['property value', 'query value', 'pixel url']) {
      queued = []
      await placements(handler)[where]?.('nothing personal', 'v-every-vendor')
      expect(new Set(queued.map((message) => message.vendor)), where).toEqual(
        new Set(VENDORS.map(({ id }) => id)),
      )
    }
  })

  describe("the visitor's own id", () => {
    for (const where of PLACEMENT_NAMES) {
      if (where === 'message id') continue
      it(`in the ${where}`, async () => {
        await fc.assert(
          fc.asyncProperty(letters(10, 14), encoding, async (suffix, [, encode]) => {
            queued = []
            reported = []
            const visitorId = `v-${suffix}`
            await placements(handler)[where]?.(encode(visitorId), visitorId)
            expect(queued.length).toBeGreaterThan(0)
            expect(redactionsReported().map((redaction) => redaction.detector)).toContain('visitor-id')
            const leaked = everythingThatLeft().filter((text) => text.toLowerCase().includes(suffix))
            expect(leaked).toEqual([])
          }),
          { numRuns: 15 },
        )
      })
    }
  })
})

describe('an event name that reveals personal data', () => {
  it('reaches GA4 under the configured neutral name, and the decision says why', async () => {
    const queued: VendorMessage[] = []
    const decisions: DecisionRecord[] = []
    const handler = createCollectHandler({
      config: parseConfig({
        ...config,
        vendors: { ga4: ga4Settings },
        privacy: { neutralEventName: 'hidden_event' },
      }),
      consent: consentingToEverything(),
      dispatch: { enqueue: async (_vendor, messages) => void queued.push(...messages) },
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: () => new Date(),
      onDecision: (decision) => decisions.push(decision),
      reportError: (error) => {
        throw error
      },
    })
    await handler(
      apiEvent({
        method: 'POST',
        path: '/v1/track',
        body: { anonymousId: 'v-neutral-name', event: 'Contact jane%2540example.org' },
        headers: { authorization: basicAuthorization(WRITE_KEY), origin: ORIGIN, 'user-agent': BROWSER_UA },
      }),
      lambdaContext(),
    )
    const payloads = queued.flatMap((message) => {
      const payload = ga4.parsePayload(message.payload)
      return payload ? [payload] : []
    })
    expect(payloads.map((payload) => payload.event.name)).toEqual(['hidden_event'])
    expect(decisions).toEqual([
      expect.objectContaining({
        vendor: 'ga4',
        allow: true,
        redactions: [{ field: 'event', kind: 'eventName', detector: 'email', action: 'renamed' }],
      }),
    ])
  })
})

describe('what an allow-list leaves out', () => {
  it('is named in the decision trace, field and reason, never the value', async () => {
    const decisions: DecisionRecord[] = []
    const handler = createCollectHandler({
      config: parseConfig({ ...config, vendors: { ga4: ga4Settings } }),
      consent: consentingToEverything(),
      dispatch: { enqueue: async () => {} },
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: () => new Date(),
      onDecision: (decision) => decisions.push(decision),
      reportError: (error) => {
        throw error
      },
    })
    await handler(
      apiEvent({
        method: 'POST',
        path: '/v1/track',
        body: {
          anonymousId: 'v-allow-list',
          event: 'Viewed Offer',
          properties: { note: 'Profile of Jane Roe', value: 3 },
          context: {
            page: { url: `${ORIGIN}/offer?ref=partner7&utm_source=news`, title: 'Profile of Jane Roe' },
          },
        },
        headers: { authorization: basicAuthorization(WRITE_KEY), origin: ORIGIN, 'user-agent': BROWSER_UA },
      }),
      lambdaContext(),
    )
    const [ga4Decision] = decisions.filter((decision) => decision.vendor === 'ga4')
    expect(ga4Decision?.allow).toBe(true)
    expect(ga4Decision?.dropped).toEqual(
      expect.arrayContaining([
        { field: 'properties.note', reason: 'not in GA4 forwardProperties' },
        { field: 'context.page.title', reason: 'GA4 forwardPageTitle is off (titles are free text)' },
        { field: 'context.page.url?ref', reason: 'query parameter not in GA4 allowedUrlParams' },
      ]),
    )
    expect(JSON.stringify(decisions)).not.toMatch(/Jane|partner7/)
  })
})
