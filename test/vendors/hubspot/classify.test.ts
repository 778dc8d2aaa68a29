import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { Classification } from '#shared/vendors/contract.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import { HUBSPOT_MAX_DETAIL_CHARS } from '#shared/vendors/hubspot/limits.ts'
import { MAX_RETRY_AFTER_SECONDS } from '#shared/vendors/retry-after.ts'
import { mapped, NOW, sendContext, TOKEN } from './fixtures.ts'

const [REQUEST] = hubspotVendor.buildRequests([{ messageId: 'msg-1', payload: mapped() }], sendContext())
if (!REQUEST) throw new Error('one request expected')
const request: VendorRequest = REQUEST

const classify = (response: VendorResponse) => hubspotVendor.classify(response, request, NOW)
const outcomeOf = (classification: Classification) =>
  'all' in classification ? classification.all : 'by message'

function hubspotError(status: number, message: string, extra: object = {}): VendorResponse {
  const body = { status: 'error', message, correlationId: 'a0e0c0b0-0000-4000-8000-000000000000', ...extra }
  return { status, headers: {}, body: JSON.stringify(body) }
}

describe('HubSpot classifier', () => {
  it('counts the Events API’s 204 and any 2xx as delivered', () => {
    expect(classify({ status: 204, headers: {}, body: '' })).toEqual({ all: 'delivered' })
    expect(classify({ status: 200, headers: {}, body: '{"inlineMessage":"Thanks"}' })).toEqual({
      all: 'delivered',
    })
  })

  it.each([
    [429, 'retry'],
    [423, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [400, 'reject'],
    [401, 'reject'],
    [403, 'reject'],
    [404, 'reject'],
    [302, 'reject'],
    [100, 'reject'],
  ])('answers HTTP %i with %s', (status, outcome) => {
    expect(outcomeOf(classify(hubspotError(status, 'Something')))).toBe(outcome)
  })

  it('quotes HubSpot’s category, message and error types in the dead-letter detail', () => {
    const response = hubspotError(400, 'Property values were not valid', {
      category: 'VALIDATION_ERROR',
      errors: [
        { message: 'bad', errorType: 'INVALID_EMAIL' },
        { message: 'x', errorType: 'REQUIRED_FIELD' },
      ],
    })
    expect(classify(response)).toEqual({
      all: 'reject',
      detail: 'HubSpot 400 VALIDATION_ERROR: Property values were not valid [INVALID_EMAIL, REQUIRED_FIELD]',
    })
  })

  it('never echoes the token and keeps the detail bounded and on one line', () => {
    const classification = classify(hubspotError(401, `Bad token ${TOKEN}\nline two ${'x'.repeat(5000)}`))
    expect(classification.detail).not.toContain(TOKEN)
    expect(classification.detail).toContain('Bad token [token]')
    expect(classification.detail).not.toContain('\n')
    expect(classification.detail?.length).toBeLessThanOrEqual(HUBSPOT_MAX_DETAIL_CHARS)
  })

  it('says so when the body is no HubSpot error', () => {
    expect(classify({ status: 502, headers: {}, body: '<html>Bad gateway</html>' })).toEqual({
      all: 'retry',
      detail: 'HTTP 502 without a HubSpot error body',
    })
  })

  it('waits as Retry-After asks, else for the rate-limit window once it is used up', () => {
    const throttled = (headers: Record<string, string>) => ({ ...hubspotError(429, 'Rate limited'), headers })
    expect(classify(throttled({ 'retry-after': '7' })).retryAfterSeconds).toBe(7)
    const window = {
      'x-hubspot-ratelimit-remaining': '0',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': '190',
    }
    expect(classify(throttled(window)).retryAfterSeconds).toBe(10)
    expect(
      classify(throttled({ ...window, 'x-hubspot-ratelimit-remaining': '12' })).retryAfterSeconds,
    ).toBeUndefined()
    expect(classify(throttled({})).retryAfterSeconds).toBeUndefined()
  })

  it('waits at least 2 s on 423 Locked', () => {
    expect(classify({ status: 423, headers: {}, body: '' })).toMatchObject({
      all: 'retry',
      retryAfterSeconds: 2,
    })
    expect(classify({ status: 423, headers: { 'retry-after': '30' }, body: '' }).retryAfterSeconds).toBe(30)
  })

  it('answers every status, header and body with one bounded, token-free outcome (property)', () => {
    const errorBody = fc
      .record({
        message: fc.oneof(fc.string({ maxLength: 500 }), fc.constant(`token ${TOKEN}`), fc.integer()),
        category: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        errors: fc.option(fc.array(fc.record({ errorType: fc.string(), message: fc.string() })), {
          nil: undefined,
        }),
      })
      .map((error) => JSON.stringify(error))
    const headers = fc.dictionary(
      fc.constantFrom(
        'retry-after',
        'x-hubspot-ratelimit-remaining',
        'x-hubspot-ratelimit-interval-milliseconds',
        'content-type',
      ),
      fc.oneof(fc.string(), fc.nat().map(String)),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        headers,
        fc.oneof(fc.string({ maxLength: 300 }), errorBody, fc.json()),
        (status, responseHeaders, body) => {
          const classification = classify({ status, headers: responseHeaders, body })
          const outcome = outcomeOf(classification)
          expect(['delivered', 'retry', 'reject']).toContain(outcome)
          if (status >= 200 && status < 300) expect(outcome).toBe('delivered')
          if (status >= 500 || status === 429 || status === 423) expect(outcome).toBe('retry')
          expect(classification.detail?.length ?? 0).toBeLessThanOrEqual(HUBSPOT_MAX_DETAIL_CHARS)
          expect(classification.detail ?? '').not.toContain(TOKEN)
          const wait = classification.retryAfterSeconds
          if (wait !== undefined) expect(wait >= 0 && wait <= MAX_RETRY_AFTER_SECONDS).toBe(true)
        },
      ),
    )
  })
})
