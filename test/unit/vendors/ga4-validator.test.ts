import { describe, expect, it } from 'vitest'
import { type Ga4RequestUnderTest, validateGa4Request } from '../../support/ga4-validator.ts'
import { NOW } from './fixtures.ts'

const NOW_MICROS = NOW.getTime() * 1000
const URL_OK = 'https://region1.google-analytics.com/mp/collect?measurement_id=G-ABC123&api_secret=s3cret'

const goodBody = () => ({
  client_id: '123.456',
  consent: { ad_user_data: 'DENIED', ad_personalization: 'DENIED' },
  non_personalized_ads: true,
  events: [
    {
      name: 'page_view',
      params: { session_id: 1717322400, engagement_time_msec: 1, page_location: 'https://shop.example/' },
      timestamp_micros: NOW_MICROS - 1_000_000,
    },
  ],
})

function request(
  overrides: Partial<Ga4RequestUnderTest> = {},
  body: unknown = goodBody(),
): Ga4RequestUnderTest {
  return {
    method: 'POST',
    url: URL_OK,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...overrides,
  }
}

const withEvent = (event: Record<string, unknown>) => {
  const body = goodBody()
  return { ...body, events: [{ ...body.events[0], ...event }] }
}
const withParams = (params: Record<string, unknown>) => {
  const body = goodBody()
  return withEvent({ params: { ...body.events[0]?.params, ...params } })
}

describe('validateGa4Request', () => {
  it('accepts a well-formed request', () => {
    expect(validateGa4Request(request(), NOW)).toEqual([])
  })

  it('accepts the debug endpoint and the global host', () => {
    const url = 'https://www.google-analytics.com/debug/mp/collect?measurement_id=G-ABC123&api_secret=s'

    expect(validateGa4Request(request({ url }), NOW)).toEqual([])
  })

  it('accepts the loopback base-URL override only when told to', () => {
    const url = 'http://127.0.0.1:9999/mp/collect?measurement_id=G-ABC123&api_secret=s'

    expect(validateGa4Request(request({ url }), NOW)).toEqual([expect.stringMatching(/^rule 1:/)])
    expect(validateGa4Request(request({ url }), NOW, { allowLoopbackHost: true })).toEqual([])
    expect(validateGa4Request(request({ url }), { now: NOW, allowHost: '127.0.0.1:9999' })).toEqual([])
    expect(validateGa4Request(request({ url }), { now: NOW, allowHost: '127.0.0.1:9998' })).not.toEqual([])
  })

  it('judges a request as a server received it, path in the URL and host in the Host header', () => {
    const received = request({
      url: '/mp/collect?measurement_id=G-ABC123&api_secret=s',
      headers: { host: '127.0.0.1:4000', 'content-type': 'application/json' },
    })

    expect(validateGa4Request(received, { now: NOW, allowHost: '127.0.0.1:4000' })).toEqual([])
    expect(validateGa4Request(received, NOW)).toEqual([expect.stringMatching(/^rule 1:/)])
  })

  it.each<[string, number, Partial<Ga4RequestUnderTest>, unknown?]>([
    ['a GET', 1, { method: 'GET' }],
    ['a foreign host', 1, { url: URL_OK.replace('region1.google-analytics.com', 'evil.example') }],
    ['plain http to Google', 1, { url: URL_OK.replace('https:', 'http:') }],
    ['a wrong path', 1, { url: URL_OK.replace('/mp/collect', '/collect') }],
    ['no api_secret', 2, { url: URL_OK.replace('&api_secret=s3cret', '') }],
    ['a malformed measurement_id', 2, { url: URL_OK.replace('G-ABC123', 'UA-1234') }],
    ['a firebase_app_id', 2, { url: `${URL_OK}&firebase_app_id=x` }],
    ['a text content type', 3, { headers: { 'content-type': 'text/plain' } }],
    ['a body that is not JSON', 3, { body: '{oops' }],
    ['a JSON array body', 3, {}, [goodBody()]],
    ['no client_id', 4, {}, { ...goodBody(), client_id: '' }],
    ['an app_instance_id', 4, {}, { ...goodBody(), app_instance_id: 'x' }],
    ['an unknown top-level key', 5, {}, { ...goodBody(), user_agent: 'Mozilla' }],
    ['no events', 6, {}, { ...goodBody(), events: [] }],
    ['26 events', 6, {}, { ...goodBody(), events: Array.from({ length: 26 }, () => goodBody().events[0]) }],
    ['an event name starting with _', 7, {}, withEvent({ name: '_bad' })],
    ['an event name of 41 characters', 7, {}, withEvent({ name: `a${'b'.repeat(40)}` })],
    ['a reserved event name', 7, {}, withEvent({ name: 'session_start' })],
    ['a Firebase reserved event name', 7, {}, withEvent({ name: 'app_store_refund' })],
    ['a reserved event prefix', 7, {}, withEvent({ name: 'Google_thing' })],
    ['26 params', 8, {}, withParams(Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`p${i}`, i])))],
    ['an invalid param name', 8, {}, withParams({ 'bad-name': 1 })],
    ['a reserved param prefix', 8, {}, withParams({ ga_thing: 1 })],
    ['firebase_conversion', 8, {}, withParams({ firebase_conversion: 1 })],
    ['a 101-character value', 9, {}, withParams({ label: 'x'.repeat(101) })],
    ['a page_title over 300', 9, {}, withParams({ page_title: 't'.repeat(301) })],
    ['a page_location over 1000', 9, {}, withParams({ page_location: 'u'.repeat(1001) })],
    ['a boolean param', 9, {}, withParams({ flag: true })],
    ['items that are not objects', 10, {}, withParams({ items: ['a'] })],
    [
      'an item with 11 custom keys',
      10,
      {},
      withParams({ items: [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`c${i}`, 1]))] }),
    ],
    ['no session_id', 11, {}, withEvent({ params: { engagement_time_msec: 1 } })],
    ['engagement_time_msec 0', 11, {}, withParams({ engagement_time_msec: 0 })],
    [
      '26 user properties',
      12,
      {},
      {
        ...goodBody(),
        user_properties: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`u${i}`, { value: 1 }])),
      },
    ],
    [
      'a reserved user property',
      12,
      {},
      { ...goodBody(), user_properties: { first_open_time: { value: 1 } } },
    ],
    [
      'a 37-character user property value',
      12,
      {},
      { ...goodBody(), user_properties: { plan: { value: 'x'.repeat(37) } } },
    ],
    ['a user_id', 13, {}, { ...goodBody(), user_id: 'u-1' }],
    ['milliseconds instead of microseconds', 14, {}, withEvent({ timestamp_micros: NOW.getTime() })],
    ['a timestamp 73 hours old', 14, {}, withEvent({ timestamp_micros: NOW_MICROS - 73 * 3600 * 1_000_000 })],
    [
      'a timestamp 2 minutes ahead',
      14,
      {},
      { ...goodBody(), timestamp_micros: NOW_MICROS + 120 * 1_000_000 },
    ],
    ['a fractional timestamp', 14, {}, withEvent({ timestamp_micros: NOW_MICROS - 0.5 })],
    [
      'a lowercase consent value',
      15,
      {},
      { ...goodBody(), consent: { ad_user_data: 'granted', ad_personalization: 'DENIED' } },
    ],
    ['analytics_storage in consent', 15, {}, { ...goodBody(), consent: { analytics_storage: 'GRANTED' } }],
    ['personalised ads despite DENIED', 16, {}, { ...goodBody(), non_personalized_ads: false }],
    ['non_personalized_ads as a string', 16, {}, { ...goodBody(), non_personalized_ads: 'true' }],
    ['an unknown device key', 17, {}, { ...goodBody(), device: { user_agent: 'Mozilla' } }],
    ['a numeric device field', 17, {}, { ...goodBody(), device: { screen_resolution: 1080 } }],
    ['an unknown user_location key', 17, {}, { ...goodBody(), user_location: { street: 'Main St' } }],
    ['an untruncated IPv4', 18, {}, { ...goodBody(), ip_override: '203.0.113.77' }],
    ['an untruncated IPv6', 18, {}, { ...goodBody(), ip_override: '2001:db8:85a3:8d3:1319:8a2e:370:7348' }],
    ['an IPv6 keeping 64 bits', 18, {}, { ...goodBody(), ip_override: '2001:db8:85a3:8d3::' }],
    ['an untruncated IPv4-mapped IPv6', 18, {}, { ...goodBody(), ip_override: '::ffff:198.51.100.9' }],
    ['an IP that is not one', 18, {}, { ...goodBody(), ip_override: '203.0.113.x' }],
    ['user_data', 19, {}, { ...goodBody(), user_data: { sha256_email_address: ['ab'] } }],
    [
      'a body of 130,000 bytes',
      20,
      {},
      withParams({ page_location: 'u'.repeat(1000), pad: 'x'.repeat(130_000) }),
    ],
  ])('rejects %s (rule %i)', (_what, rule, overrides, body) => {
    const problems = validateGa4Request(request(overrides, body ?? goodBody()), NOW)

    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^rule ${rule}:`)))
  })

  it.each(['203.0.113.0', '2001:db8:85a3::', '::ffff:198.51.100.0'])('accepts the truncated IP %s', (ip) => {
    expect(validateGa4Request(request({}, { ...goodBody(), ip_override: ip }), NOW)).toEqual([])
  })
})
