import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Queued } from '#shared/vendors/contract.ts'
import { type MetaPayload, metaVendor } from '#shared/vendors/meta/index.ts'
import { META_MAX_EVENTS_PER_REQUEST } from '#shared/vendors/meta/limits.ts'
import { metaRequestViolations } from '../../support/meta-validator.ts'
import { collectedEvent, IDENTITY, mapContext, metaSettings, NOW, sendContext, TOKEN } from './fixtures.ts'

function queued(count: number, settings = metaSettings()): Array<Queued<MetaPayload>> {
  const template = metaVendor.toPayload(collectedEvent(), IDENTITY, mapContext(settings))
  if (template === null) throw new Error('the fixture event must map')
  return Array.from({ length: count }, (_, index) => ({
    messageId: `msg-${index}`,
    payload: { ...template, event_id: `msg-${index}` },
  }))
}

const bodyOf = (body: string): { data: MetaPayload[]; test_event_code?: string } => JSON.parse(body)

describe('Meta requests', () => {
  it('posts JSON to the pixel’s events edge of the configured Graph version, token in the query', () => {
    const [request] = metaVendor.buildRequests(queued(1), sendContext(metaSettings({ apiVersion: 'v24.0' })))
    expect(request).toMatchObject({
      method: 'POST',
      url: `https://graph.facebook.com/v24.0/123456789012345/events?access_token=${TOKEN}`,
      headers: { 'content-type': 'application/json' },
      messageIds: ['msg-0'],
    })
    expect(bodyOf(request?.body ?? '')).toEqual({ data: [queued(1)[0]?.payload] })
  })

  it('uses Graph v25.0 when the admin names no version', () => {
    const [request] = metaVendor.buildRequests(queued(1), sendContext())
    expect(new URL(request?.url ?? '').pathname).toBe('/v25.0/123456789012345/events')
  })

  it('encodes the token so it cannot add query parameters', () => {
    const context = { ...sendContext(), credentials: { accessToken: 'a&debug=all' } }
    const [request] = metaVendor.buildRequests(queued(1), context)
    const url = new URL(request?.url ?? '')
    expect([...url.searchParams.keys()]).toEqual(['access_token'])
    expect(url.searchParams.get('access_token')).toBe('a&debug=all')
  })

  it('replaces only scheme and host with the base URL', () => {
    const [request] = metaVendor.buildRequests(
      queued(1),
      sendContext(metaSettings(), { baseUrl: 'http://127.0.0.1:9999/ignored?x=1' }),
    )
    expect(request?.url).toBe(`http://127.0.0.1:9999/v25.0/123456789012345/events?access_token=${TOKEN}`)
  })

  it('carries the test event code from the settings when there is one', () => {
    const settings = metaSettings({ testEventCode: 'TEST123' })
    const [request] = metaVendor.buildRequests(queued(2, settings), sendContext(settings))
    expect(bodyOf(request?.body ?? '').test_event_code).toBe('TEST123')
    expect(bodyOf(metaVendor.buildRequests(queued(1), sendContext())[0]?.body ?? '')).not.toHaveProperty(
      'test_event_code',
    )
  })

  it('splits 2,500 events into requests of 1,000, 1,000 and 500', () => {
    const requests = metaVendor.buildRequests(queued(2500), sendContext())
    expect(requests.map((request) => bodyOf(request.body).data.length)).toEqual([1000, 1000, 500])
    for (const request of requests) expect(metaRequestViolations(request, NOW)).toEqual([])
  })

  it('builds no request for an empty batch', () => {
    expect(metaVendor.buildRequests([], sendContext())).toEqual([])
  })

  it('puts every message in exactly one request, in the request’s body order (property)', () => {
    const many = queued(2 * META_MAX_EVENTS_PER_REQUEST + 1)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: many.length }), (count) => {
        const batch = many.slice(0, count)
        const requests = metaVendor.buildRequests(batch, sendContext())
        const ids = requests.flatMap((request) => request.messageIds)
        expect(ids).toEqual(batch.map((message) => message.messageId))
        for (const request of requests) {
          expect(request.messageIds.length).toBeLessThanOrEqual(META_MAX_EVENTS_PER_REQUEST)
          expect(bodyOf(request.body).data.map((event) => event.event_id)).toEqual(request.messageIds)
        }
      }),
      { numRuns: 30 },
    )
  })

  it('builds only requests the Meta validator accepts, for any mix of mapped events (property)', () => {
    const event = fc.record({
      type: fc.constantFrom('page' as const, 'track' as const),
      name: fc.string({ maxLength: 60 }),
      secondsAgo: fc.integer({ min: 0, max: 6 * 86_400 }),
      properties: fc.dictionary(
        fc.constantFrom('value', 'currency', 'content_ids', 'num_items', 'content_type'),
        fc.oneof(fc.string({ maxLength: 10 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
      ),
    })
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 40 }),
        fc.record({ sendTruncatedIp: fc.boolean(), limitedDataUse: fc.boolean() }),
        (events, switches) => {
          const settings = metaSettings(switches)
          const batch = events.flatMap((input, index) => {
            const messageId = `m-${index}`
            const collected = collectedEvent({
              ...input,
              messageId,
              timestamp: new Date(NOW.getTime() - input.secondsAgo * 1000).toISOString(),
            })
            const payload = metaVendor.toPayload(collected, IDENTITY, mapContext(settings))
            return payload ? [{ messageId, payload }] : []
          })
          expect(batch).toHaveLength(events.length)
          for (const request of metaVendor.buildRequests(batch, sendContext(settings))) {
            expect(metaRequestViolations(request, NOW)).toEqual([])
          }
        },
      ),
    )
  })
})
