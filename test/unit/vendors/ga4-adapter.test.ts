import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError } from '#shared/config/load.ts'
import { parseCredentials } from '#shared/delivery/binding.ts'
import { switchedOffAdapter } from '#shared/vendors/adapter.ts'
import { ga4Vendor } from '#shared/vendors/ga4/index.ts'
import {
  classifyHttpStatus,
  GA4_MAX_BODY_BYTES,
  GA4_MAX_EVENTS_PER_REQUEST,
  GA4_PURPOSES,
  type Ga4Payload,
  ga4Adapter,
  toGa4Payload,
} from '../../support/ga4.ts'
import { validateGa4Request } from '../../support/ga4-validator.ts'
import { allowingAllOf, collectedEvent, GA4_CONFIG, GA4_CONTEXT, NOW } from './fixtures.ts'

const ANY_REQUEST = {
  vendor: 'ga4' as const,
  method: 'POST' as const,
  url: 'https://region1.google-analytics.com/mp/collect',
  headers: {},
  body: '{}',
  messageIds: ['msg-1'],
}

const adapter = (options: Parameters<typeof ga4Adapter>[2] = {}) =>
  ga4Adapter(GA4_CONFIG, 'api secret/+', { now: () => NOW, ...options })

function payload(
  overrides: Partial<typeof GA4_CONTEXT> = {},
  properties?: Record<string, string>,
): Ga4Payload {
  const event = collectedEvent(properties ? { properties } : {})
  const result = toGa4Payload(event, { ...GA4_CONTEXT, allowList: allowingAllOf(event), ...overrides })
  if (!result) throw new Error('expected a payload')
  return result
}

const messages = (count: number, make: (index: number) => Ga4Payload = () => payload()) =>
  Array.from({ length: count }, (_, index) => ({ messageId: `m${index}`, payload: make(index) }))

const bodyOf = (body: string) =>
  z.object({ client_id: z.string(), events: z.array(z.unknown()) }).parse(JSON.parse(body))

describe('ga4Adapter: URLs', () => {
  it('sends to the EU endpoint with measurement id and encoded api secret', () => {
    const [request] = adapter().buildRequests(messages(1))

    expect(request?.url).toBe(
      'https://region1.google-analytics.com/mp/collect?measurement_id=G-TEST123&api_secret=api+secret%2F%2B',
    )
    expect(request?.method).toBe('POST')
    expect(request?.headers).toEqual({ 'content-type': 'application/json' })
  })

  it('sends to the global endpoint when configured', () => {
    const global = ga4Adapter({ ...GA4_CONFIG, endpoint: 'global' }, 's', { now: () => NOW })

    const [request] = global.buildRequests(messages(1))

    expect(request?.url).toMatch(
      /^https:\/\/www\.google-analytics\.com\/mp\/collect\?measurement_id=G-TEST123&/,
    )
  })

  it('replaces only scheme and host with the base URL override', () => {
    const [request] = adapter({ baseUrl: 'http://127.0.0.1:9999/ignored/path' }).buildRequests(messages(1))

    expect(request?.url).toBe(
      'http://127.0.0.1:9999/mp/collect?measurement_id=G-TEST123&api_secret=api+secret%2F%2B',
    )
  })
})

describe('ga4Adapter: batching', () => {
  it('puts at most 25 events of one visitor in a request and lists their message ids', () => {
    const requests = adapter().buildRequests(messages(30))

    expect(requests.map((request) => request.messageIds.length)).toEqual([GA4_MAX_EVENTS_PER_REQUEST, 5])
    expect(requests.flatMap((request) => request.messageIds)).toEqual(messages(30).map((m) => m.messageId))
    expect(requests.map((request) => bodyOf(request.body).events.length)).toEqual([25, 5])
  })

  it('never mixes visitors, consent signals or IPs in one request', () => {
    const mixed = messages(
      4,
      (index) =>
        [
          payload(),
          payload({ clientId: '999.999' }),
          payload({ marketingAllowed: true }),
          payload({ sendTruncatedIp: true }),
        ][index] ?? payload(),
    )

    const requests = adapter().buildRequests(mixed)

    expect(requests).toHaveLength(4)
    expect(requests.map((request) => request.messageIds)).toEqual([['m0'], ['m1'], ['m2'], ['m3']])
  })

  it('keeps each body under 130,000 bytes', () => {
    const bulky = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, '€'.repeat(100)]))
    const requests = adapter().buildRequests(messages(25, () => payload({}, bulky)))

    expect(requests.length).toBeGreaterThan(1)
    for (const request of requests) {
      expect(Buffer.byteLength(request.body)).toBeLessThan(GA4_MAX_BODY_BYTES)
      expect(validateGa4Request(request, NOW)).toEqual([])
    }
    expect(requests.flatMap((request) => request.messageIds)).toHaveLength(25)
  })

  it('moves an event that waited in the queue back inside the 72-hour window at send time', () => {
    const queued = payload()
    const fourDaysLater = new Date(NOW.getTime() + 4 * 24 * 60 * 60 * 1000)

    const [request] = adapter({ now: () => fourDaysLater }).buildRequests([
      { messageId: 'm', payload: queued },
    ])

    expect(request && validateGa4Request(request, fourDaysLater)).toEqual([])
  })
})

describe('ga4Adapter: payloads and answers', () => {
  it('reads back a payload that went through the queue as JSON', () => {
    const queued = JSON.parse(JSON.stringify(payload({ sendTruncatedIp: true, marketingAllowed: true })))

    expect(adapter().parsePayload(queued)).toEqual(queued)
  })

  it.each([
    ['garbage', 'not a payload'],
    ['a user_id', { ...payload(), user_id: 'u1' }],
    ['an invalid event name', { ...payload(), event: { ...payload().event, name: '_bad' } }],
    ['a boolean param', { ...payload(), event: { ...payload().event, params: { flag: true } } }],
  ])('refuses a payload with %s', (_what, raw) => {
    expect(adapter().parsePayload(raw)).toBeNull()
  })

  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'reject'],
    [403, 'reject'],
    [404, 'reject'],
  ] as const)('classifies status %i as %s', (status, outcome) => {
    expect(adapter().classify({ status, headers: {}, body: '' }, ANY_REQUEST, NOW)).toMatchObject({
      all: outcome,
    })
    expect(classifyHttpStatus(status)).toBe(outcome)
  })

  it.each([
    ['seconds', '7', 7],
    ['an HTTP date', new Date(NOW.getTime() + 90_000).toUTCString(), 90],
    ['a date in the past', new Date(NOW.getTime() - 90_000).toUTCString(), 0],
  ])('takes a 429 answer with Retry-After as %s as the least wait', (_form, retryAfter, seconds) => {
    const answer = { status: 429, headers: { 'retry-after': retryAfter }, body: '' }
    expect(adapter().classify(answer, ANY_REQUEST, NOW)).toEqual({ all: 'retry', retryAfterSeconds: seconds })
  })

  it('ignores Retry-After on an answer that is not retried', () => {
    const answer = { status: 400, headers: { 'retry-after': '7' }, body: '' }
    expect(adapter().classify(answer, ANY_REQUEST, NOW)).toEqual({ all: 'reject' })
  })

  it('declares its id, purposes and configured timeout', () => {
    const ga4 = ga4Adapter({ ...GA4_CONFIG, timeoutMs: 750 }, 's')

    expect(ga4).toMatchObject({ id: 'ga4', purposes: GA4_PURPOSES, timeoutMs: 750 })
  })
})

describe('switchedOffAdapter', () => {
  it('reads no payload and refuses to build requests', () => {
    const off = switchedOffAdapter('ga4', GA4_PURPOSES)

    expect(off.parsePayload(payload())).toBeNull()
    expect(() => off.buildRequests([])).toThrow(/switched off/)
  })
})

describe('GA4 credentials', () => {
  it('reads the secret from {"apiSecret": …}', () => {
    expect(parseCredentials(ga4Vendor, '{"apiSecret":"abc123"}')).toEqual({ apiSecret: 'abc123' })
  })

  it.each(['abc123', '{"secret":"abc"}', '{"apiSecret":', '{"apiSecret":""}'])(
    'refuses %s with an error that names the expected JSON and never quotes the value',
    (text) => {
      expect(() => parseCredentials(ga4Vendor, text)).toThrow(ConfigError)
      expect(() => parseCredentials(ga4Vendor, text)).toThrow(/\{"apiSecret":"\.\.\."\}/)
      expect(() => parseCredentials(ga4Vendor, text)).not.toThrow(/abc/)
    },
  )
})
