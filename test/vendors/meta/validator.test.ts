import { describe, expect, it } from 'vitest'
import type { VendorRequest } from '#shared/delivery/http.ts'
import { META_HASH_VECTORS, metaRequestViolations, sha256Hex } from '../../support/meta-validator.ts'

const NOW = new Date('2026-06-02T12:00:00.000Z')
const NOW_SECONDS = NOW.getTime() / 1000
const HASH = 'b'.repeat(64)

/** A request written by hand from vendors.md §2, not by the mapper: the validator is judged alone. */
function event(overrides: Record<string, unknown> = {}, userData: Record<string, unknown> = {}) {
  return {
    event_name: 'Purchase',
    event_time: NOW_SECONDS - 60,
    event_id: 'evt-1',
    action_source: 'website',
    event_source_url: 'https://shop.example/thanks',
    user_data: {
      client_user_agent: 'Mozilla/5.0',
      em: [HASH],
      fbp: 'fb.1.1717329600000.1234567890',
      fbc: 'fb.1.1717329600000.IwAR2-abc_DEF',
      ...userData,
    },
    custom_data: { value: 10, currency: 'EUR' },
    data_processing_options: [],
    ...overrides,
  }
}

function request(body: unknown, overrides: Partial<VendorRequest> = {}): VendorRequest {
  return {
    vendor: 'meta',
    method: 'POST',
    url: 'https://graph.facebook.com/v25.0/1234567890/events?access_token=EAAB',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    messageIds: ['evt-1'],
    ...overrides,
  }
}

const violations = (req: VendorRequest, options = {}) => metaRequestViolations(req, NOW, options)
const rulesOf = (req: VendorRequest, options = {}) =>
  [...new Set(violations(req, options).map((problem) => problem.split(':')[0]))].sort()

describe('Meta validator', () => {
  it('passes a request that follows every rule', () => {
    expect(violations(request({ data: [event()] }))).toEqual([])
    const ldu = event({
      data_processing_options: ['LDU'],
      data_processing_options_country: 0,
      data_processing_options_state: 0,
    })
    expect(violations(request({ data: [ldu], test_event_code: 'TEST1' }))).toEqual([])
  })

  it('accepts the form-encoded body rudder sends', () => {
    const body = new URLSearchParams({ data: JSON.stringify([event()]) }).toString()
    const form = { ...request({}), body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }
    expect(violations(form)).toEqual([])
  })

  it('rejects wrong hosts, paths, methods and a missing token (rule 1)', () => {
    const ok = request({ data: [event()] })
    expect(
      rulesOf({ ...ok, url: 'https://graph.facebook.com.evil.example/v25.0/1/events?access_token=x' }),
    ).toEqual(['rule 1'])
    expect(rulesOf({ ...ok, url: 'http://graph.facebook.com/v25.0/1/events?access_token=x' })).toEqual([
      'rule 1',
    ])
    expect(rulesOf({ ...ok, url: 'https://graph.facebook.com/v25.1/1/events?access_token=x' })).toEqual([
      'rule 1',
    ])
    expect(rulesOf({ ...ok, url: 'https://graph.facebook.com/v25.0/1/events' })).toEqual(['rule 1'])
    expect(rulesOf({ ...ok, url: 'https://graph.facebook.com/v25.0/1/events?access_token=' })).toEqual([
      'rule 1',
    ])
    expect(
      rulesOf(
        { ...ok, url: 'http://127.0.0.1:9/v25.0/1/events?access_token=x' },
        { allowOrigin: 'http://127.0.0.1:9' },
      ),
    ).toEqual([])
  })

  it('rejects an empty or oversized data array and unknown top-level keys (rule 2)', () => {
    expect(rulesOf(request({ data: [] }))).toEqual(['rule 2'])
    expect(rulesOf(request({ data: Array.from({ length: 1001 }, () => event()) }))).toEqual(['rule 2'])
    expect(rulesOf(request({ data: [event()], user_id: 'u' }))).toEqual(['rule 2'])
    expect(rulesOf({ ...request({}), body: '{"data":[' })).toEqual(['rule 2'])
  })

  it('rejects a test event code in production, and an empty one anywhere (rule 3)', () => {
    expect(rulesOf(request({ data: [event()], test_event_code: 'T1' }), { production: true })).toEqual([
      'rule 3',
    ])
    expect(rulesOf(request({ data: [event()], test_event_code: '' }))).toEqual(['rule 3'])
  })

  it('rejects events without name, user_data or action source (rule 4)', () => {
    expect(rulesOf(request({ data: [event({ event_name: '' })] }))).toEqual(['rule 4'])
    expect(rulesOf(request({ data: [event({ action_source: 7 })] }))).toEqual(['rule 4'])
  })

  it('rejects times in milliseconds, older than 7 days or in the future (rule 5)', () => {
    expect(rulesOf(request({ data: [event({ event_time: NOW.getTime() - 60_000 })] }))).toEqual(['rule 5'])
    expect(rulesOf(request({ data: [event({ event_time: NOW_SECONDS - 7 * 86_400 - 1 })] }))).toEqual([
      'rule 5',
    ])
    expect(rulesOf(request({ data: [event({ event_time: NOW_SECONDS + 61 })] }))).toEqual(['rule 5'])
    expect(rulesOf(request({ data: [event({ event_time: NOW_SECONDS + 0.5 })] }))).toEqual(['rule 4'])
  })

  it('rejects unknown action sources (rule 6)', () => {
    expect(rulesOf(request({ data: [event({ action_source: 'web' })] }))).toEqual(['rule 6'])
  })

  it('rejects website events without an http(s) URL or user agent (rule 7)', () => {
    expect(rulesOf(request({ data: [event({ event_source_url: '/thanks' })] }))).toEqual(['rule 7'])
    expect(rulesOf(request({ data: [event({}, { client_user_agent: '' })] }))).toEqual(['rule 7'])
  })

  it('rejects a missing or empty event_id, which pixel deduplication needs (rule 8)', () => {
    expect(rulesOf(request({ data: [event({ event_id: '' })] }))).toEqual(['rule 8'])
    const { event_id: _id, ...withoutId } = event()
    expect(rulesOf(request({ data: [withoutId] }))).toEqual(['rule 8'])
  })

  it('rejects user_data without any §2.3 identifier, or with unknown keys (rule 9)', () => {
    expect(rulesOf(request({ data: [event({ action_source: 'other', user_data: {} })] }))).toEqual(['rule 9'])
    expect(rulesOf(request({ data: [event({}, { email: 'x' })] }))).toEqual(['rule 9'])
  })

  it('rejects plain-text or upper-case contact data (rule 10)', () => {
    expect(rulesOf(request({ data: [event({}, { em: 'john_smith@gmail.com' })] }))).toEqual(['rule 10'])
    expect(rulesOf(request({ data: [event({}, { em: ['john_smith@gmail.com'] })] }))).toEqual(['rule 10'])
    expect(rulesOf(request({ data: [event({}, { ph: ['B'.repeat(64)] })] }))).toEqual(['rule 10'])
    expect(rulesOf(request({ data: [event({}, { external_id: 'visitor-1' })] }))).toEqual(['rule 10'])
    expect(rulesOf(request({ data: [event({}, { country: HASH })] }))).toEqual([])
  })

  it('rejects hashed or malformed plain keys and untruncated IPs (rule 11)', () => {
    expect(rulesOf(request({ data: [event({}, { client_user_agent: HASH })] }))).toEqual(['rule 11'])
    expect(rulesOf(request({ data: [event({}, { fbp: 'fb.1.1717329600.123' })] }))).toEqual(['rule 11'])
    expect(rulesOf(request({ data: [event({}, { fbp: 'fb.1.1717329600000.abc' })] }))).toEqual(['rule 11'])
    expect(rulesOf(request({ data: [event({}, { fbc: 'fbclid=IwAR2' })] }))).toEqual(['rule 11'])
    expect(rulesOf(request({ data: [event({}, { client_ip_address: '203.0.113.77' })] }))).toEqual([
      'rule 11',
    ])
    expect(rulesOf(request({ data: [event({}, { client_ip_address: 'localhost' })] }))).toEqual(['rule 11'])
    expect(rulesOf(request({ data: [event({}, { client_ip_address: '203.0.113.0' })] }))).toEqual([])
    expect(rulesOf(request({ data: [event({}, { client_ip_address: '2001:db8:1::' })] }))).toEqual([])
    expect(rulesOf(request({ data: [event({}, { fbp: 'fb.1.1717329600000.123.AQAB' })] }))).toEqual([])
  })

  it('knows the hash test vectors of vendors.md §2.3 and checks expected hashes (rule 12)', () => {
    for (const [plain, hash] of Object.values(META_HASH_VECTORS)) expect(sha256Hex(plain)).toBe(hash)
    const hashed = event({}, { em: [sha256Hex('john_smith@gmail.com')] })
    expect(
      violations(request({ data: [hashed] }), { expectedHashesOf: { em: 'john_smith@gmail.com' } }),
    ).toEqual([])
    expect(
      rulesOf(request({ data: [hashed] }), { expectedHashesOf: { em: 'John_Smith@gmail.com' } }),
    ).toEqual(['rule 12'])
  })

  it('rejects other processing options and LDU without geography (rule 13)', () => {
    expect(rulesOf(request({ data: [event({ data_processing_options: ['ldu'] })] }))).toEqual(['rule 13'])
    expect(rulesOf(request({ data: [event({ data_processing_options: ['LDU'] })] }))).toEqual(['rule 13'])
    const explicit = {
      data_processing_options: ['LDU'],
      data_processing_options_country: 1,
      data_processing_options_state: 1000,
    }
    expect(rulesOf(request({ data: [event(explicit)] }))).toEqual([])
  })

  it('rejects non-ISO currencies and negative or textual values (rule 14)', () => {
    for (const custom_data of [
      { currency: 'eur' },
      { currency: 'EURO' },
      { currency: 'XYZ' },
      { value: -1 },
      { value: '10' },
    ]) {
      expect(rulesOf(request({ data: [event({ custom_data })] }))).toEqual(['rule 14'])
    }
  })
})
