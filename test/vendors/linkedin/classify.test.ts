import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { Classification } from '#shared/vendors/contract.ts'
import { linkedinVendor } from '#shared/vendors/linkedin/index.ts'
import { LINKEDIN_MAX_DETAIL_CHARS } from '#shared/vendors/linkedin/limits.ts'
import { MAX_RETRY_AFTER_SECONDS } from '#shared/vendors/retry-after.ts'
import { fixturePayload, NOW, sendContext, TOKEN } from './fixtures.ts'

const template = fixturePayload()
const batch = ['m-0', 'm-1', 'm-2'].map((messageId) => ({
  messageId,
  payload: { ...template, eventId: messageId },
}))
const [FIRST] = linkedinVendor.buildRequests(batch, sendContext())
if (!FIRST) throw new Error('one request expected')
const request: VendorRequest = FIRST

const classify = (response: VendorResponse) => linkedinVendor.classify(response, request, NOW)
const answer = (
  status: number,
  body: unknown = '',
  headers: Record<string, string> = {},
): VendorResponse => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
const outcomeOf = (classification: Classification) =>
  'all' in classification ? classification.all : 'by message'

describe('LinkedIn classifier', () => {
  it('counts a 2xx as delivered, with or without the batch answer', () => {
    expect(classify(answer(200, { elements: [{ status: 201 }, { status: 201 }, { status: 201 }] }))).toEqual({
      all: 'delivered',
    })
    expect(classify(answer(201))).toEqual({ all: 'delivered' })
  })

  it('fails only the elements a 2xx batch answer gives an error status', () => {
    const result = classify(answer(200, { elements: [{ status: 201 }, { status: 400 }, { status: 503 }] }))
    expect(result).toMatchObject({ others: 'delivered' })
    expect('byMessage' in result && [...result.byMessage]).toEqual([
      ['m-1', 'reject'],
      ['m-2', 'retry'],
    ])
  })

  it('dead-letters only the elements a 422 names and retries the others', () => {
    const message =
      'Index: 0, ERROR :: /conversionHappenedAt :: too old\nIndex: 2, ERROR :: /user :: missing ids'
    const result = classify(answer(422, { status: 422, message }))
    expect(result).toMatchObject({ others: 'retry', detail: expect.stringContaining('Index: 0') })
    expect('byMessage' in result && [...result.byMessage]).toEqual([
      ['m-0', 'reject'],
      ['m-2', 'reject'],
    ])
  })

  it('dead-letters a whole 422 that names no element of the request', () => {
    expect(outcomeOf(classify(answer(422, { message: 'Index: 7, ERROR :: /x :: y' })))).toBe('reject')
    expect(outcomeOf(classify(answer(422, 'not json')))).toBe('reject')
  })

  it('retries a 426 and names the setting that fixes it', () => {
    expect(
      classify(answer(426, { status: 426, message: 'Requested version 20250101 is not active' })),
    ).toEqual({
      all: 'retry',
      detail: expect.stringMatching(/202606.*linkedin\.version/),
    })
  })

  it.each([
    [401, 'REVOKED_ACCESS_TOKEN', 65601],
    [401, 'INVALID_ACCESS_TOKEN', 65600],
    [403, 'ACCESS_DENIED', 100],
  ])('dead-letters %i %s with LinkedIn’s message', (status, code, serviceErrorCode) => {
    const body = { status, serviceErrorCode, code, message: 'The token used in the request has been revoked' }
    expect(classify(answer(status, body))).toEqual({
      all: 'reject',
      detail: `LinkedIn ${status} ${code} (${serviceErrorCode}): The token used in the request has been revoked`,
    })
  })

  it('dead-letters a 400 (a rule of the wrong kind)', () => {
    const body = { status: 400, message: "Conversion's method should be CONVERSIONS_API, indices [0]" }
    expect(classify(answer(400, body))).toEqual({
      all: 'reject',
      detail: expect.stringContaining('CONVERSIONS_API'),
    })
  })

  it.each([429, 500, 502, 503, 504])('retries %i, honouring Retry-After', (status) => {
    expect(classify(answer(status, '', { 'retry-after': '30' }))).toMatchObject({
      all: 'retry',
      retryAfterSeconds: 30,
    })
    expect(classify(answer(status))).not.toHaveProperty('retryAfterSeconds')
  })

  it('reads a Retry-After date and bounds a huge delay', () => {
    const later = new Date(NOW.getTime() + 90_000).toUTCString()
    expect(classify(answer(429, '', { 'retry-after': later }))).toMatchObject({ retryAfterSeconds: 90 })
    expect(classify(answer(429, '', { 'retry-after': '99999999' }))).toMatchObject({
      retryAfterSeconds: MAX_RETRY_AFTER_SECONDS,
    })
  })

  it('never quotes the access token, and keeps the detail short and on one line', () => {
    const message = `bad token ${TOKEN}\n${'x'.repeat(2000)}`
    const result = classify(answer(401, { status: 401, message }))
    expect(result.detail).not.toContain(TOKEN)
    expect(result.detail).not.toContain('\n')
    expect(result.detail?.length).toBeLessThanOrEqual(LINKEDIN_MAX_DETAIL_CHARS)
  })

  it('answers any status, headers and body with a known outcome for messages of the request (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.array(fc.integer({ min: 0, max: 9 })).map((indexes) =>
            JSON.stringify({
              message: indexes.map((index) => `Index: ${index}, ERROR :: /a :: b`).join('\n'),
            }),
          ),
          fc
            .array(fc.integer({ min: 100, max: 599 }), { maxLength: 4 })
            .map((statuses) => JSON.stringify({ elements: statuses.map((status) => ({ status })) })),
        ),
        fc.dictionary(fc.constantFrom('retry-after', 'content-type', 'x-other'), fc.string()),
        (status, body, headers) => {
          const result = linkedinVendor.classify({ status, headers, body }, request, NOW)
          const outcomes = new Set(['delivered', 'retry', 'reject'])
          if ('all' in result) expect(outcomes.has(result.all)).toBe(true)
          else {
            expect(outcomes.has(result.others)).toBe(true)
            for (const [messageId, outcome] of result.byMessage) {
              expect(request.messageIds).toContain(messageId)
              expect(outcomes.has(outcome)).toBe(true)
            }
          }
          if (result.retryAfterSeconds !== undefined) {
            expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(0)
            expect(result.retryAfterSeconds).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS)
          }
          if (status >= 200 && status < 300) expect(outcomeOf(result) === 'reject').toBe(false)
        },
      ),
    )
  })
})
