import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { Classification } from '#shared/vendors/contract.ts'
import { metaVendor } from '#shared/vendors/meta/index.ts'
import { META_MAX_DETAIL_CHARS } from '#shared/vendors/meta/limits.ts'
import { MAX_RETRY_AFTER_SECONDS } from '#shared/vendors/retry-after.ts'
import { collectedEvent, IDENTITY, mapContext, NOW, sendContext, TOKEN } from './fixtures.ts'

const payload = metaVendor.toPayload(collectedEvent(), IDENTITY, mapContext())
if (payload === null) throw new Error('the fixture event must map')
const [REQUEST] = metaVendor.buildRequests([{ messageId: 'msg-1', payload }], sendContext())
if (!REQUEST) throw new Error('one request expected')
const request: VendorRequest = REQUEST

function graphError(status: number, code: number, message = 'Something', extra: object = {}): VendorResponse {
  const error = { message, type: 'OAuthException', code, fbtrace_id: 'AbC', ...extra }
  return { status, headers: {}, body: JSON.stringify({ error }) }
}

const classify = (response: VendorResponse) => metaVendor.classify(response, request, NOW)
const outcomeOf = (classification: Classification) =>
  'all' in classification ? classification.all : 'by message'

describe('Meta classifier', () => {
  it('counts any 2xx as delivered', () => {
    const body = JSON.stringify({ events_received: 1, messages: [], fbtrace_id: 'x' })
    expect(classify({ status: 200, headers: {}, body })).toEqual({ all: 'delivered' })
    expect(classify({ status: 204, headers: {}, body: '' })).toEqual({ all: 'delivered' })
  })

  it.each([
    [1, 500],
    [2, 503],
    [4, 400],
    [17, 400],
    [341, 400],
    [368, 400],
    [613, 400],
    [80003, 400],
    [5000, 400],
  ])('retries Graph code %i (temporary or throttled), whatever the status (%i)', (code, status) => {
    expect(outcomeOf(classify(graphError(status, code)))).toBe('retry')
  })

  it.each([
    [100, 400],
    [190, 400],
    [3, 400],
    [10, 403],
    [200, 403],
    [250, 403],
    [299, 403],
    [294, 400],
    [105, 400],
    [2650, 400],
    [2655, 400],
    [100, 500],
  ])('dead-letters Graph code %i (status %i): repeating cannot fix it', (code, status) => {
    expect(outcomeOf(classify(graphError(status, code)))).toBe('reject')
  })

  it('quotes Meta’s code, subcode and message in the dead-letter detail', () => {
    const response = graphError(400, 100, 'Invalid parameter', { error_subcode: 2804003 })
    expect(classify(response)).toEqual({
      all: 'reject',
      detail: 'Graph error 100/2804003: Invalid parameter',
    })
  })

  it('never echoes the access token in the detail', () => {
    const response = graphError(
      400,
      190,
      `Invalid OAuth access token - Cannot parse access token ${TOKEN} (access_token=${TOKEN})`,
    )
    const classification = classify(response)
    expect(classification.detail).not.toContain(TOKEN)
    expect(classification.detail).toContain('Invalid OAuth access token')
  })

  it('bounds the detail and keeps it on one line', () => {
    const classification = classify(graphError(400, 100, `line one\nline two ${'x'.repeat(5000)}`))
    expect(classification.detail?.length).toBeLessThanOrEqual(META_MAX_DETAIL_CHARS)
    expect(classification.detail).not.toContain('\n')
  })

  it('honours Retry-After on a retry', () => {
    const throttled = {
      ...graphError(400, 17, 'User request limit reached'),
      headers: { 'retry-after': '120' },
    }
    expect(classify(throttled)).toMatchObject({ all: 'retry', retryAfterSeconds: 120 })
    const dated = {
      status: 503,
      headers: { 'retry-after': new Date(NOW.getTime() + 30_000).toUTCString() },
      body: '',
    }
    expect(classify(dated)).toMatchObject({ all: 'retry', retryAfterSeconds: 30 })
  })

  it('judges by status when the body is no Graph error or an unknown code', () => {
    expect(outcomeOf(classify({ status: 502, headers: {}, body: '<html>Bad gateway</html>' }))).toBe('retry')
    expect(outcomeOf(classify({ status: 429, headers: {}, body: '' }))).toBe('retry')
    expect(outcomeOf(classify({ status: 404, headers: {}, body: '{"error":' }))).toBe('reject')
    expect(outcomeOf(classify(graphError(500, 999_999)))).toBe('retry')
    expect(outcomeOf(classify(graphError(400, 999_999)))).toBe('reject')
    expect(outcomeOf(classify({ status: 302, headers: {}, body: '' }))).toBe('reject')
  })

  it('answers every status, header and body with one bounded, token-free outcome (property)', () => {
    const graphBody = fc
      .record({
        code: fc.oneof(fc.integer(), fc.constantFrom(1, 4, 17, 100, 190, 250, 613, 80003), fc.string()),
        error_subcode: fc.option(fc.integer(), { nil: undefined }),
        message: fc.oneof(fc.string({ maxLength: 500 }), fc.constant(`bad token ${TOKEN}`), fc.integer()),
      })
      .map((error) => JSON.stringify({ error }))
    const body = fc.oneof(fc.string({ maxLength: 300 }), graphBody, fc.json())
    const headers = fc.dictionary(
      fc.constantFrom('retry-after', 'content-type', 'x-fb-trace-id'),
      fc.string(),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        headers,
        body,
        (status, responseHeaders, responseBody) => {
          const classification = classify({ status, headers: responseHeaders, body: responseBody })
          expect(['delivered', 'retry', 'reject']).toContain(outcomeOf(classification))
          if (status >= 200 && status < 300) expect(outcomeOf(classification)).toBe('delivered')
          expect(classification.detail?.length ?? 0).toBeLessThanOrEqual(META_MAX_DETAIL_CHARS)
          expect(classification.detail ?? '').not.toContain(TOKEN)
          const wait = classification.retryAfterSeconds
          if (wait !== undefined) expect(wait >= 0 && wait <= MAX_RETRY_AFTER_SECONDS).toBe(true)
        },
      ),
    )
  })
})
