import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Queued } from '#shared/vendors/contract.ts'
import { type HubspotEventPayload, hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import { HUBSPOT_MAX_INPUTS_PER_REQUEST } from '#shared/vendors/hubspot/limits.ts'
import { hubspotRequestViolations } from '../../support/hubspot-validator.ts'
import {
  collectedEvent,
  hubspotSettings,
  IDENTITY,
  mapContext,
  mapped,
  NOW,
  sendContext,
  TOKEN,
} from './fixtures.ts'

function queued(count: number): Array<Queued<HubspotEventPayload>> {
  return Array.from({ length: count }, (_, index) => ({
    messageId: `msg-${index}`,
    payload: mapped(collectedEvent({ messageId: `msg-${index}` })),
  }))
}

const inputsOf = (body: string): HubspotEventPayload[] => JSON.parse(body).inputs

describe('HubSpot requests', () => {
  it('posts {inputs} to the Events API v3 batch endpoint with the private app token as Bearer', () => {
    const batch = queued(1)
    const [request, ...others] = hubspotVendor.buildRequests(batch, sendContext())
    expect(others).toEqual([])
    expect(request).toMatchObject({
      method: 'POST',
      url: 'https://api.hubapi.com/events/v3/send/batch',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      messageIds: ['msg-0'],
    })
    expect(JSON.parse(request?.body ?? '')).toEqual({ inputs: [batch[0]?.payload] })
    expect(request?.body).not.toContain(TOKEN)
  })

  it('replaces only scheme and host with the base URL', () => {
    const [request] = hubspotVendor.buildRequests(
      queued(1),
      sendContext(hubspotSettings(), { baseUrl: 'http://127.0.0.1:9999/ignored?x=1' }),
    )
    expect(request?.url).toBe('http://127.0.0.1:9999/events/v3/send/batch')
  })

  it('splits 1,200 events into requests of 500, 500 and 200, each valid', () => {
    const requests = hubspotVendor.buildRequests(queued(1200), sendContext())
    expect(requests.map((request) => inputsOf(request.body).length)).toEqual([500, 500, 200])
    for (const request of requests) expect(hubspotRequestViolations(request, NOW)).toEqual([])
  })

  it('builds no request for an empty batch', () => {
    expect(hubspotVendor.buildRequests([], sendContext())).toEqual([])
  })

  it('puts every message in exactly one request, in body order (property)', () => {
    const many = queued(2 * HUBSPOT_MAX_INPUTS_PER_REQUEST + 1)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: many.length }), (count) => {
        const batch = many.slice(0, count)
        const requests = hubspotVendor.buildRequests(batch, sendContext())
        expect(requests.flatMap((request) => request.messageIds)).toEqual(batch.map((m) => m.messageId))
        for (const request of requests) {
          expect(request.messageIds.length).toBeLessThanOrEqual(HUBSPOT_MAX_INPUTS_PER_REQUEST)
          const uuids = inputsOf(request.body).map((input) => input.uuid)
          expect(uuids).toEqual(
            batch.filter((m) => request.messageIds.includes(m.messageId)).map((m) => m.payload.uuid),
          )
        }
      }),
      { numRuns: 20 },
    )
  })

  it('builds only requests the HubSpot validator accepts, for any mix of mapped events (property)', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 250 }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    )
    const event = fc.record({
      type: fc.constantFrom('page' as const, 'track' as const),
      name: fc.constantFrom('Signed Up', 'Demo Booked', 'Unmapped'),
      secondsAgo: fc.integer({ min: -3600, max: 400 * 86_400 }),
      url: fc.oneof(fc.webUrl(), fc.string({ maxLength: 50 })),
      properties: fc.dictionary(fc.constantFrom('plan', 'seats', 'trial', 'docs_url', 'other'), value),
    })
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 30 }),
        fc.option(fc.constantFrom('page_url', 'url'), { nil: undefined }),
        (events, pageUrlProperty) => {
          const settings = hubspotSettings({ pageUrlProperty })
          const batch = events.flatMap((input, index) => {
            const messageId = `m-${index}`
            const collected = collectedEvent({
              ...input,
              messageId,
              page: { url: input.url },
              timestamp: new Date(NOW.getTime() - input.secondsAgo * 1000).toISOString(),
            })
            const payload = hubspotVendor.toPayload(collected, IDENTITY, mapContext(settings))
            return payload ? [{ messageId, payload }] : []
          })
          for (const request of hubspotVendor.buildRequests(batch, sendContext(settings))) {
            expect(hubspotRequestViolations(request, NOW)).toEqual([])
          }
        },
      ),
    )
  })
})
