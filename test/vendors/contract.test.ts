import fc from 'fast-check'
import ipaddr from 'ipaddr.js'
import { describe, expect, it } from 'vitest'
import { PURPOSES, type Purpose } from '#shared/consent/model.ts'
import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { CollectedEvent, EventType, PropertyValue } from '#shared/events/model.ts'
import { type GrantedIdentity, IDENTITY_KINDS } from '#shared/identity/kinds.ts'
import { pseudonymsFor } from '#shared/privacy/pseudonyms.ts'
import type { AnyVendor, BaseVendorSettings, MapContext, Outcome, Queued } from '#shared/vendors/contract.ts'
import { VENDOR_ID_LIST } from '#shared/vendors/ids.ts'
import { VENDOR_IDS, VENDORS } from '#shared/vendors/index.ts'
import { CONTRACT_FIXTURES, type ScreenedField } from './contract-fixtures.ts'

/**
 * The contract every vendor in VENDORS keeps, checked for each one: a vendor added to the list runs
 * here once its fixtures are in CONTRACT_FIXTURES (the compiler asks for them).
 */

const NOW = new Date('2026-06-02T12:00:00.000Z')
const SITE_ID = 'shop'
const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
/** Oldest generated event: beyond every vendor's backdating window, so clamping and parking are exercised. */
const OLDEST_EVENT_MS = 10 * DAY_MS
/** Longest a payload waits on the queue between mapping and sending in these tests. */
const LONGEST_QUEUE_WAIT_MS = 3 * DAY_MS
const OUTCOMES: ReadonlySet<Outcome> = new Set(['delivered', 'retry', 'reject'])
const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>(['page', 'track', 'identify'])
const pseudonyms = pseudonymsFor('contract-test-pseudonym-key', SITE_ID)

const USER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
]

// ---- arbitraries: events as the collector hands them over, identities as the edge derives them

const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength })
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,19}$/)
const hex64 = fc.stringMatching(/^[a-f0-9]{64}$/)
const octet = fc.integer({ min: 0, max: 255 })
const hextet = fc.integer({ min: 0, max: 0xffff }).map((group) => group.toString(16))
const truncatedIp = fc.oneof(
  fc.tuple(octet, octet, octet).map(([a, b, c]) => `${a}.${b}.${c}.0`),
  fc.tuple(hextet, hextet, hextet).map(([a, b, c]) => `${a}:${b}:${c}::`),
  fc.tuple(octet, octet, octet).map(([a, b, c]) => `::ffff:${a}.${b}.${c}.0`),
)
const fbp = fc
  .tuple(
    fc.stringMatching(/^\d{1,3}$/),
    fc.stringMatching(/^\d{13}$/),
    fc.stringMatching(/^\d{1,30}$/),
    fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), { nil: undefined }),
  )
  .map(([index, time, random, appendix]) => `fb.${index}.${time}.${random}${appendix ? `.${appendix}` : ''}`)
const fbc = fc
  .tuple(
    fc.stringMatching(/^\d{1,3}$/),
    fc.stringMatching(/^\d{13}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/),
  )
  .map(([index, time, clickId]) => `fb.${index}.${time}.${clickId}`)
const userAgent = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...USER_AGENTS) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 300 }) },
)

/** Every kind in its final form (hashes, checked cookie formats, a user agent); restricted per vendor below. */
const finalIdentity: fc.Arbitrary<GrantedIdentity> = fc.record(
  {
    email: hex64,
    phone: hex64,
    firstName: hex64,
    lastName: hex64,
    city: hex64,
    postcode: hex64,
    country: hex64,
    userAgent,
    fbp,
    fbc,
    liFatId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    hubspotutk: fc.stringMatching(/^[a-f0-9]{32}$/),
    externalId: hex64,
  },
  { requiredKeys: ['userAgent'] },
)

/** What the edge grants a vendor: only the kinds it declares. */
function grantedTo(vendor: AnyVendor, identity: GrantedIdentity): GrantedIdentity {
  const declared: ReadonlySet<string> = new Set(vendor.identity)
  return Object.fromEntries(Object.entries(identity).filter(([kind]) => declared.has(kind)))
}

const absoluteUrl = fc.webUrl({ withQueryParameters: true, withFragments: true })
const pageUrl = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: absoluteUrl },
    { weight: 1, arbitrary: fc.constantFrom('/relative/path?q=1', 'not a url', 'javascript:void(0)', '') },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 900, max: 8300 })
        .map((length) => `https://shop.example/?q=${'x'.repeat(length)}`),
    },
  ),
  { nil: undefined },
)
const propertyValue: fc.Arbitrary<PropertyValue> = fc.oneof(
  text(600),
  // -0 has its own case below, so a break there is named by that case.
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => value + 0),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('EUR', ' usd ', 'XYZ', 'sku-1'),
)
const device: fc.Arbitrary<CollectedEvent['context']['device']> = fc.option(
  fc.record(
    {
      category: fc.constantFrom('desktop', 'mobile', 'tablet', 'other'),
      browser: text(120),
      os: text(120),
    },
    { requiredKeys: ['category'] },
  ),
  { nil: null },
)
const eventTime = fc
  .integer({ min: NOW.getTime() - OLDEST_EVENT_MS, max: NOW.getTime() })
  .map((ms) => new Date(ms).toISOString())

function collectedEvents(
  propertyKeys: ReadonlyArray<string>,
  options: {
    types: ReadonlyArray<EventType>
    url: fc.Arbitrary<string | undefined>
    /** Few visitors, IPs and devices make batches whose events can share requests. */
    visitorIds?: ReadonlyArray<string>
    ip?: fc.Arbitrary<string | null>
    device?: fc.Arbitrary<CollectedEvent['context']['device']>
  },
): fc.Arbitrary<CollectedEvent> {
  const propertyKey = fc.oneof(
    fc.constantFrom(...propertyKeys),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'sessionId', 'pageLocation', 'ga_session'),
    fc.string({ maxLength: 50 }),
  )
  return fc
    .record({
      messageId: fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 100 })),
      type: fc.constantFrom(...options.types),
      name: fc.option(fc.oneof(text(256), fc.constantFrom('Order Completed', 'Signed Up', 'Purchase')), {
        nil: undefined,
      }),
      visitorId: options.visitorIds ? fc.constantFrom(...options.visitorIds) : fc.uuid(),
      timestamp: eventTime,
      page: fc.record(
        { url: options.url, path: fc.constantFrom('/', '/checkout'), title: text(400), referrer: pageUrl },
        { requiredKeys: [] },
      ),
      properties: fc.dictionary(propertyKey, propertyValue, { maxKeys: 30 }),
      ip: options.ip ?? fc.option(truncatedIp, { nil: null }),
      device: options.device ?? device,
      sessionId: fc.option(fc.oneof(text(256), fc.stringMatching(/^\d{13}$/)), { nil: undefined }),
      gpc: fc.boolean(),
    })
    .map(({ ip, device, sessionId, gpc, ...event }) => ({
      ...event,
      siteId: SITE_ID,
      receivedAt: NOW.toISOString(),
      context: { ip, device, gpc, ...(sessionId === undefined ? {} : { sessionId }) },
    }))
}

// ---- the deliverer's path, with the vendor's own functions

function mapContext<Settings extends BaseVendorSettings>(
  settings: Settings,
  marketingAllowed: boolean,
  now = NOW,
): MapContext<Settings> {
  return { settings, pseudonyms, marketingAllowed, now, dropped: () => {} }
}

/**
 * What the deliverer makes of queued payloads: read back from the queue's JSON, narrowed to the
 * consent at send time, without the ones the vendor parks.
 */
function deliverable(
  vendor: AnyVendor,
  queued: ReadonlyArray<Queued<unknown>>,
  optedIn: (purpose: Purpose) => boolean,
  now: Date,
): Array<Queued<unknown>> {
  return queued.flatMap(({ messageId, payload }) => {
    const read = vendor.payloadSchema.safeParse(JSON.parse(JSON.stringify(payload)))
    if (!read.success)
      throw new Error(`queued payload of ${messageId} does not read back: ${read.error.message}`)
    const narrowed = vendor.narrow ? vendor.narrow(read.data, optedIn) : read.data
    return vendor.unsendable?.(narrowed, now) ? [] : [{ messageId, payload: narrowed }]
  })
}

// ---- what must never be in a request

interface RawValues {
  email: string
  phone: string
  ip: string
  visitorId: string
}
/** Distinctive identify traits, so finding one in a request cannot be chance. */
const RAW_TRAITS = {
  firstName: 'Zebediah',
  lastName: 'Quackenbush',
  city: 'Llanfairpwllgwyngyll',
  postcode: 'SW1A 1AA',
}

const rawValues: fc.Arbitrary<RawValues> = fc.record({
  email: fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9._]{2,15}$/), fc.stringMatching(/^[a-z]{3,10}\.(com|de|org)$/))
    .map(([local, domain]) => `${local}@${domain}`),
  phone: fc
    .tuple(
      fc.integer({ min: 1, max: 999 }),
      fc.array(fc.stringMatching(/^\d{2,4}$/), { minLength: 3, maxLength: 4 }),
      fc.constantFrom(' ', '-'),
    )
    .map(([country, groups, separator]) => `+${country}${separator}${groups.join(separator)}`),
  // Documentation ranges with a host part that truncation must remove.
  ip: fc.oneof(
    fc.integer({ min: 1, max: 254 }).map((host) => `203.0.113.${host}`),
    fc.integer({ min: 1, max: 254 }).map((host) => `198.51.100.${host}`),
    fc.integer({ min: 1, max: 254 }).map((host) => `::ffff:203.0.113.${host}`),
    fc.tuple(hextet, hextet).map(([a, b]) => `2001:db8:85a3:${a}::8a2e:${b}`),
  ),
  visitorId: fc.uuid(),
})

/** The value as it was, percent-encoded, form-encoded and (for an IP) in its other spellings; lower case. */
function revealingForms(value: string): string[] {
  const forms = [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]
  if (ipaddr.isValid(value)) {
    const address = ipaddr.parse(value)
    forms.push(address.toString())
    if (address.kind() === 'ipv6') {
      const v6 = ipaddr.IPv6.parse(value)
      forms.push(v6.toNormalizedString())
      if (v6.isIPv4MappedAddress()) forms.push(v6.toIPv4Address().toString())
    }
  }
  return [...new Set(forms.map((form) => form.toLowerCase()))]
}

/** Which of the values show up, in any revealing form, in the texts. */
function revealed(values: Readonly<Record<string, string>>, texts: ReadonlyArray<string>): string[] {
  const haystack = texts.join('\n').toLowerCase()
  return Object.entries(values).flatMap(([name, value]) =>
    revealingForms(value)
      .filter((form) => haystack.includes(form))
      .map((form) => `${name} as ${JSON.stringify(form)}`),
  )
}

const requestTexts = (request: VendorRequest) => [
  request.url,
  ...Object.entries(request.headers).flat(),
  request.body,
]

/**
 * An event carrying the raw values in every text field the collector would not have screened for this
 * vendor, and screened-looking text in the fields the vendor forwards trusting the collector (see
 * ContractFixture.forwardsScreened). The visitor id and the untruncated IP are where they always are.
 */
function eventRevealing(
  raw: RawValues,
  screened: string,
  forwardsScreened: ReadonlyArray<ScreenedField>,
  propertyKeys: ReadonlyArray<string>,
  type: 'page' | 'track',
): CollectedEvent {
  const trusted: ReadonlySet<ScreenedField> = new Set(forwardsScreened)
  const all = `${raw.email} ${raw.phone} ${raw.ip} ${raw.visitorId}`
  const field = (name: ScreenedField, revealing: string) => (trusted.has(name) ? screened : revealing)
  const url = (name: ScreenedField) =>
    trusted.has(name)
      ? `https://shop.example/${screened}?utm_source=${screened}&q=${screened}`
      : `https://shop.example/account?email=${raw.email}&e=${encodeURIComponent(raw.email)}` +
        `&utm_source=${encodeURIComponent(raw.phone)}&utm_term=${raw.ip}&gclid=${raw.visitorId}` +
        `&q=${encodeURIComponent(all)}&ref=${encodeURIComponent(raw.ip)}`
  const rawList = [raw.email, raw.phone, raw.ip, raw.visitorId]
  const properties: Record<string, PropertyValue> = {
    [raw.email]: screened,
    [raw.phone]: 1,
    [raw.ip]: true,
    [raw.visitorId]: screened,
    [`${raw.email} ${raw.phone}`]: screened,
  }
  propertyKeys.forEach((key, index) => {
    properties[key] = trusted.has('property values') ? screened : (rawList[index % rawList.length] ?? all)
  })
  return {
    messageId: `${screened}-message`,
    type,
    name: field('name', `Signed up ${all}`),
    siteId: SITE_ID,
    visitorId: raw.visitorId,
    timestamp: new Date(NOW.getTime() - HOUR_MS).toISOString(),
    receivedAt: NOW.toISOString(),
    page: {
      url: url('page.url'),
      path: '/account',
      title: field('page.title', `Profile of ${all}`),
      referrer: url('page.referrer'),
    },
    properties,
    context: {
      ip: raw.ip,
      device: { category: 'desktop', browser: 'Firefox', os: 'Linux' },
      sessionId: field('context.sessionId', all),
      gpc: false,
    },
  }
}

/** Traits unhashed and cookies and ids in forms the mapper must refuse: raw values, the visitor id. */
function identityRevealing(
  raw: RawValues,
  cookies: { fbp: string | null; fbc: string | null },
): GrantedIdentity {
  return {
    email: ` ${raw.email.toUpperCase()} `,
    phone: raw.phone,
    ...RAW_TRAITS,
    country: 'GB',
    externalId: raw.visitorId,
    userAgent: USER_AGENTS[0],
    fbp: cookies.fbp ?? raw.email,
    fbc: cookies.fbc ?? raw.visitorId,
    liFatId: cookies.fbp === null ? raw.email : 'df8d7a3c-1b2e-4f5a-9c8d-7e6f5a4b3c2d',
    hubspotutk: cookies.fbp === null ? raw.visitorId : '0123456789abcdef0123456789abcdef',
  }
}

// ---- classify inputs

const retryAfter = fc.oneof(
  fc.nat().map(String),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
  fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
  fc.constantFrom(
    ' 120 ',
    '1e3',
    'Infinity',
    'NaN',
    '-0',
    '0x10',
    '',
    '9'.repeat(400),
    'Wed, 21 Oct 2015 07:28:00 GMT',
  ),
  fc.string({ maxLength: 80 }),
)
const responseHeaders = fc
  .tuple(
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('content-type', 'x-fb-trace-id', 'x-business-use-case-usage'),
        fc.string({ maxLength: 20 }),
      ),
      fc.string({ maxLength: 80 }),
      { maxKeys: 5 },
    ),
    fc.option(retryAfter, { nil: undefined }),
  )
  .map(([headers, retry]) => (retry === undefined ? headers : { ...headers, 'retry-after': retry }))
const graphCode = fc.oneof(
  fc.constantFrom(1, 2, 4, 17, 100, 190, 200, 299, 341, 368, 613, 2650, 5000, 80003),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 10 }),
  fc.constant(null),
)

function responseBodies(secrets: ReadonlyArray<string>, url: string): fc.Arbitrary<string> {
  const message = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      ...secrets.map((secret) => `Invalid OAuth access token: ${secret}`),
      `Bad request to ${url}`,
    ),
  )
  const errorBody = fc
    .record(
      {
        error: fc.record(
          {
            code: graphCode,
            error_subcode: graphCode,
            message,
            type: fc.constantFrom('OAuthException', 'GraphMethodException'),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    )
    .map((body) => JSON.stringify(body))
  return fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.json({ maxDepth: 3 }),
    errorBody,
    fc.constant('x'.repeat(70_000)),
  )
}

// ---- the contract

describe('vendor ids', () => {
  it('are unique, so each vendor gets its own queue, settings and lookup', () => {
    expect(new Set(VENDOR_IDS).size).toBe(VENDORS.length)
  })

  it('are listed as plain data too, exactly (what the consent function queues erase requests for)', () => {
    expect([...VENDOR_ID_LIST].sort()).toEqual([...VENDOR_IDS].sort())
  })
})

describe.each(VENDORS)('vendor contract: $id', (known) => {
  const vendor: AnyVendor = known
  const fixture = CONTRACT_FIXTURES[known.id]
  const secrets = Object.values(fixture.credentials).filter((value) => typeof value === 'string')
  const send = (batch: ReadonlyArray<Queued<unknown>>) =>
    vendor.buildRequests(batch, { settings: fixture.settings, credentials: fixture.credentials, now: NOW })

  describe('declarations', () => {
    it('has valid fixtures: the test’s settings and credentials are ones the vendor accepts', () => {
      expect(vendor.settingsSchema.safeParse(fixture.settings).error?.issues).toBeUndefined()
      expect(vendor.credentialsSchema.safeParse(fixture.credentials).error?.issues).toBeUndefined()
      expect(vendor.checkSettings?.(fixture.settings, { production: false }) ?? null).toBeNull()
    })

    it('hands the deliverer batches of at least one message', () => {
      expect(Number.isInteger(vendor.profile.batchSize)).toBe(true)
      expect(vendor.profile.batchSize).toBeGreaterThanOrEqual(1)
      expect(vendor.profile.batchingWindowSeconds).toBeGreaterThanOrEqual(0)
    })

    it('asks ops for exactly the secret fields its credentials schema requires', () => {
      const keys = Object.keys(vendor.credentialsTemplate)
      expect(Object.values(vendor.credentialsTemplate).every((value) => value === '')).toBe(true)
      const filled = Object.fromEntries(keys.map((key) => [key, 'contract-filled-secret']))
      expect(vendor.credentialsSchema.safeParse(filled).error?.issues).toBeUndefined()
      for (const key of keys) {
        const withoutKey = Object.fromEntries(Object.entries(filled).filter(([name]) => name !== key))
        expect(vendor.credentialsSchema.safeParse(withoutKey).success, `${key} is required`).toBe(false)
      }
    })

    it('has development credentials its credentials schema accepts', () => {
      expect(vendor.credentialsSchema.safeParse(vendor.devCredentials).error?.issues).toBeUndefined()
    })

    it('declares only identity kinds the edge knows, each once', () => {
      const known: ReadonlySet<string> = new Set(IDENTITY_KINDS)
      expect(vendor.identity.filter((kind) => !known.has(kind))).toEqual([])
      expect(new Set(vendor.identity).size).toBe(vendor.identity.length)
    })

    it('needs analytics or marketing, per event type, for what it receives', () => {
      const purposes: ReadonlySet<string> = new Set(PURPOSES)
      for (const [type, purpose] of Object.entries(vendor.purposes)) {
        expect(EVENT_TYPES.has(type), `event type ${type}`).toBe(true)
        expect(purposes.has(purpose), `purpose of ${type}`).toBe(true)
      }
    })
  })

  it('maps any event to nothing or to a payload that reads back from queue JSON as it was written', () => {
    let mapped = 0
    const events = collectedEvents(fixture.propertyKeys, {
      types: ['page', 'track', 'identify'],
      url: pageUrl,
    })
    fc.assert(
      fc.property(events, finalIdentity, fc.boolean(), (event, identity, marketingAllowed) => {
        const payload: unknown = vendor.toPayload(
          event,
          grantedTo(vendor, identity),
          mapContext(fixture.settings, marketingAllowed),
        )
        if (payload === null) return
        mapped += 1
        expect(vendor.payloadSchema.safeParse(payload).error?.issues).toBeUndefined()
        expect(vendor.payloadSchema.parse(JSON.parse(JSON.stringify(payload)))).toEqual(payload)
      }),
      { numRuns: 300 },
    )
    expect(mapped, 'events that mapped to a payload').toBeGreaterThan(0)
  })

  it('reads a numeric property of -0 back from queue JSON as it was written', () => {
    const payloads = fixture.propertyKeys.flatMap((key) => {
      const event = typicalEvent({ properties: { [key]: -0 } })
      const payload: unknown = vendor.toPayload(
        event,
        typicalIdentity(vendor),
        mapContext(fixture.settings, true),
      )
      return payload === null ? [] : [payload]
    })
    expect(payloads.length, 'events that mapped').toBeGreaterThan(0)
    for (const payload of payloads) {
      expect(vendor.payloadSchema.parse(JSON.parse(JSON.stringify(payload)))).toEqual(payload)
    }
  })

  it('sends no raw IP, e-mail, phone, trait or visitor id in any request or queued payload', () => {
    let sent = 0
    fc.assert(
      fc.property(
        rawValues,
        word,
        fc.constantFrom('page' as const, 'track' as const),
        fc.boolean(),
        fc.record({ fbp: fc.option(fbp, { nil: null }), fbc: fc.option(fbc, { nil: null }) }),
        (raw, screened, type, marketingAllowed, cookies) => {
          const event = eventRevealing(raw, screened, fixture.forwardsScreened, fixture.propertyKeys, type)
          const identity = grantedTo(vendor, identityRevealing(raw, cookies))
          const payload: unknown = vendor.toPayload(
            event,
            identity,
            mapContext(fixture.settings, marketingAllowed),
          )
          if (payload === null) return
          const requests = send(
            deliverable(vendor, [{ messageId: 'sqs-1', payload }], () => marketingAllowed, NOW),
          )
          if (requests.length > 0) sent += 1
          const secrets = { ...raw, ...RAW_TRAITS }
          expect(revealed(secrets, [JSON.stringify(payload), ...requests.flatMap(requestTexts)])).toEqual([])
        },
      ),
      { numRuns: 150 },
    )
    expect(sent, 'runs that built a request').toBeGreaterThan(0)
  })

  it('puts every message of a batch of up to 3 × batchSize in exactly one request, each within the vendor’s rules', () => {
    const visitorIds = ['0b7f6c1e-0000-4000-8000-000000000001', '0b7f6c1e-0000-4000-8000-000000000002']
    const events = collectedEvents(fixture.propertyKeys, {
      types: ['page', 'track'],
      url: absoluteUrl,
      visitorIds,
      ip: fc.constant('203.0.113.0'),
      device: fc.constant({ category: 'desktop', browser: 'Firefox', os: 'Linux' }),
    })
    const queuedWait = fc.integer({ min: 0, max: LONGEST_QUEUE_WAIT_MS })
    const message = fc.tuple(events, finalIdentity, queuedWait)
    // fc.array favours short arrays; the count is drawn first so full and overfull batches come up.
    const batches = fc
      .integer({ min: 0, max: vendor.profile.batchSize * 3 })
      .chain((count) => fc.array(message, { minLength: count, maxLength: count }))
    let largest = 0
    fc.assert(
      fc.property(batches, (batch) => {
        const queued = batch.flatMap(([event, identity, wait], index) => {
          const mappedAt = new Date(NOW.getTime() - wait)
          const payload: unknown = vendor.toPayload(
            event,
            grantedTo(vendor, identity),
            mapContext(fixture.settings, true, mappedAt),
          )
          return payload === null ? [] : [{ messageId: `sqs-${index}`, payload }]
        })
        const messages = deliverable(vendor, queued, () => true, NOW)
        largest = Math.max(largest, messages.length)
        const requests = send(messages)
        const landed = requests.flatMap((request) => request.messageIds)
        expect(landed.toSorted()).toEqual(messages.map((message) => message.messageId).toSorted())
        for (const request of requests) {
          expect(request.vendor).toBe(vendor.id)
          expect(request.messageIds.length).toBeGreaterThan(0)
          expect(fixture.validate(request, NOW)).toEqual([])
        }
      }),
      { numRuns: 20 },
    )
    expect(largest, 'largest batch sent').toBeGreaterThan(vendor.profile.batchSize)
  })

  it('classifies any answer as delivered, retry or reject, naming only the request’s messages', () => {
    const sample = typicalRequest(vendor, fixture.settings, send)
    const messageIds = fc.uniqueArray(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 20 })), {
      minLength: 1,
      maxLength: 10,
    })
    const responses: fc.Arbitrary<VendorResponse> = fc.record({
      status: fc.integer({ min: 100, max: 599 }),
      headers: responseHeaders,
      body: responseBodies(secrets, sample.url),
    })
    fc.assert(
      fc.property(responses, messageIds, fc.date({ noInvalidDate: true }), (response, ids, now) => {
        const request = { ...sample, messageIds: ids }
        const classification = vendor.classify(response, request, now)
        const outcomes =
          'all' in classification
            ? [classification.all]
            : [...classification.byMessage.values(), classification.others]
        expect(outcomes.filter((outcome) => !OUTCOMES.has(outcome))).toEqual([])
        if ('byMessage' in classification) {
          expect([...classification.byMessage.keys()].filter((id) => !ids.includes(id))).toEqual([])
        }
        const { retryAfterSeconds, detail } = classification
        if (retryAfterSeconds !== undefined) {
          expect(
            Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0,
            `retry after ${retryAfterSeconds}`,
          ).toBe(true)
        }
        // The detail is quoted in a dead-letter reason: it must not quote the secret the request carried.
        if (detail !== undefined) expect(secrets.filter((secret) => detail.includes(secret))).toEqual([])
      }),
      { numRuns: 400 },
    )
  })
})

/** An ordinary tracked event, as the collector hands it over. */
function typicalEvent(overrides: Partial<CollectedEvent> = {}): CollectedEvent {
  return {
    messageId: 'typical-message',
    type: 'track',
    name: 'Order Completed',
    siteId: SITE_ID,
    visitorId: '0b7f6c1e-0000-4000-8000-000000000003',
    timestamp: new Date(NOW.getTime() - HOUR_MS).toISOString(),
    receivedAt: NOW.toISOString(),
    page: { url: 'https://shop.example/checkout', path: '/checkout', title: 'Checkout' },
    properties: { value: 42.5, currency: 'EUR' },
    context: {
      ip: '203.0.113.0',
      device: { category: 'desktop', browser: 'Firefox', os: 'Linux' },
      gpc: false,
    },
    ...overrides,
  }
}

function typicalIdentity(vendor: AnyVendor): GrantedIdentity {
  return grantedTo(vendor, {
    userAgent: USER_AGENTS[0],
    fbp: 'fb.1.1717329600000.1234567890',
    liFatId: 'df8d7a3c-1b2e-4f5a-9c8d-7e6f5a4b3c2d',
    hubspotutk: '0123456789abcdef0123456789abcdef',
  })
}

/** A request the vendor builds for an ordinary tracked event, with marketing allowed. */
function typicalRequest(
  vendor: AnyVendor,
  settings: BaseVendorSettings,
  send: (batch: ReadonlyArray<Queued<unknown>>) => VendorRequest[],
): VendorRequest {
  const payload: unknown = vendor.toPayload(
    typicalEvent(),
    typicalIdentity(vendor),
    mapContext(settings, true),
  )
  const [request] = payload === null ? [] : send([{ messageId: 'sqs-typical', payload }])
  if (!request) throw new Error(`${vendor.id} builds no request for an ordinary tracked event`)
  return request
}
