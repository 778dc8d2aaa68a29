import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Queued } from '#shared/vendors/contract.ts'
import { type LinkedinPayload, linkedinVendor } from '#shared/vendors/linkedin/index.ts'
import { LINKEDIN_MAX_ELEMENTS_PER_REQUEST } from '#shared/vendors/linkedin/limits.ts'
import { linkedinRequestViolations } from '../../support/linkedin-validator.ts'
import { fixturePayload, linkedinSettings, NOW, sendContext, TOKEN } from './fixtures.ts'

function queued(count: number): Array<Queued<LinkedinPayload>> {
  const template = fixturePayload()
  return Array.from({ length: count }, (_, index) => ({
    messageId: `msg-${index}`,
    payload: { ...template, eventId: `msg-${index}` },
  }))
}

const elementsOf = (body: string): LinkedinPayload[] => JSON.parse(body).elements

describe('LinkedIn requests', () => {
  it('posts a BATCH_CREATE to conversionEvents with the Rest.li, version and bearer headers', () => {
    const [request] = linkedinVendor.buildRequests(queued(2), sendContext())
    expect(request).toMatchObject({
      vendor: 'linkedin',
      method: 'POST',
      url: 'https://api.linkedin.com/rest/conversionEvents',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        'linkedin-version': '202606',
        'x-restli-protocol-version': '2.0.0',
        'x-restli-method': 'BATCH_CREATE',
      },
      messageIds: ['msg-0', 'msg-1'],
    })
    expect(JSON.parse(request?.body ?? '')).toEqual({ elements: queued(2).map((message) => message.payload) })
  })

  it('sends the LinkedIn-Version the settings name', () => {
    const settings = linkedinSettings({ version: '202609' })
    const [request] = linkedinVendor.buildRequests(queued(1), sendContext(settings))
    expect(request?.headers['linkedin-version']).toBe('202609')
  })

  it('replaces only scheme and host with the base URL', () => {
    const [request] = linkedinVendor.buildRequests(
      queued(1),
      sendContext(linkedinSettings(), { baseUrl: 'http://127.0.0.1:9999/ignored?x=1' }),
    )
    expect(request?.url).toBe('http://127.0.0.1:9999/rest/conversionEvents')
    expect(
      linkedinRequestViolations(request ?? fail(), NOW, { allowOrigin: 'http://127.0.0.1:9999' }),
    ).toEqual([])
  })

  it('splits 12,001 events into requests of 5,000, 5,000 and 2,001', () => {
    const requests = linkedinVendor.buildRequests(queued(12_001), sendContext())
    expect(requests.map((request) => elementsOf(request.body).length)).toEqual([5000, 5000, 2001])
    for (const request of requests) expect(linkedinRequestViolations(request, NOW)).toEqual([])
  })

  it('builds no request for an empty batch', () => {
    expect(linkedinVendor.buildRequests([], sendContext())).toEqual([])
  })

  it('puts every message in exactly one request, messageIds in the body’s element order (property)', () => {
    const many = queued(LINKEDIN_MAX_ELEMENTS_PER_REQUEST + 3)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: many.length }), (count) => {
        const batch = many.slice(0, count)
        const requests = linkedinVendor.buildRequests(batch, sendContext())
        expect(requests.flatMap((request) => request.messageIds)).toEqual(
          batch.map((message) => message.messageId),
        )
        for (const request of requests) {
          expect(elementsOf(request.body).map((element) => element.eventId)).toEqual(request.messageIds)
          expect(linkedinRequestViolations(request, NOW)).toEqual([])
        }
      }),
      { numRuns: 20 },
    )
  })
})

function fail(): never {
  throw new Error('a request was expected')
}
