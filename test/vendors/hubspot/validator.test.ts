import { describe, expect, it } from 'vitest'
import type { VendorRequest } from '#shared/delivery/http.ts'
import { hubspotRequestViolations } from '../../support/hubspot-validator.ts'

const NOW = new Date('2026-06-02T12:00:00.000Z')
const GUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const FORM_URL = `https://api.hsforms.com/submissions/v3/integration/secure/submit/123/${GUID}`
const EVENTS_URL = 'https://api.hubapi.com/events/v3/send/batch'

/** Requests written by hand from vendors.md §4, not by the builders: the validator is judged alone. */
function event(overrides: Record<string, unknown> = {}) {
  return {
    eventName: 'pe123_signed_up',
    utk: '0123456789abcdef0123456789abcdef',
    uuid: '256fd0c8-d992-54f2-9a71-c9ae821d50c2',
    occurredAt: '2026-06-02T11:59:00.000Z',
    properties: { plan: 'pro', page_url: `https://shop.example/${'a'.repeat(150)}` },
    ...overrides,
  }
}

function form(overrides: Record<string, unknown> = {}) {
  return {
    fields: [{ objectTypeId: '0-1', name: 'email', value: 'jane@example.com' }],
    submittedAt: String(NOW.getTime()),
    context: { pageUri: 'https://shop.example/contact', hutk: '0123456789abcdef0123456789abcdef' },
    legalConsentOptions: {
      consent: {
        consentToProcess: true,
        text: 'I agree',
        communications: [{ value: false, subscriptionTypeId: 999, text: 'Newsletter' }],
      },
    },
    ...overrides,
  }
}

function request(
  body: unknown,
  url: string,
  headers: Record<string, string> = { authorization: 'Bearer pat' },
) {
  const built: VendorRequest = {
    vendor: 'hubspot',
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    messageIds: ['m-1'],
  }
  return built
}

const rulesOf = (req: VendorRequest, options = {}) =>
  [...new Set(hubspotRequestViolations(req, NOW, options).map((problem) => problem.split(':')[0]))].sort()

describe('HubSpot validator', () => {
  it('passes an events batch and a form submit that follow every rule', () => {
    expect(hubspotRequestViolations(request({ inputs: [event()] }, EVENTS_URL), NOW)).toEqual([])
    expect(hubspotRequestViolations(request(event(), 'https://api.hubapi.com/events/v3/send'), NOW)).toEqual(
      [],
    )
    expect(hubspotRequestViolations(request(form(), FORM_URL), NOW, { formFields: ['email'] })).toEqual([])
    const unauthenticated = FORM_URL.replace('secure/', '')
    expect(hubspotRequestViolations(request(form(), unauthenticated, {}), NOW)).toEqual([])
  })

  it.each([
    ['rule 1', request(form(), FORM_URL, {})],
    ['rule 1', request(form(), FORM_URL.replace('secure/', ''))],
    ['rule 1', request(form(), FORM_URL.replace(GUID, 'guid'))],
    ['rule 2', request(form({ extra: 1 }), FORM_URL)],
    ['rule 3', request(form({ fields: [] }), FORM_URL)],
    ['rule 3', request(form({ fields: [{ name: 'email', value: 1 }] }), FORM_URL)],
    ['rule 3', request(form({ fields: [{ name: 'e', value: 'x', objectTypeId: 'contact' }] }), FORM_URL)],
    ['rule 4', request(form({ submittedAt: String(NOW.getTime() + 120_000) }), FORM_URL)],
    ['rule 4', request(form({ submittedAt: '2026-06-02' }), FORM_URL)],
    ['rule 5', request(form({ context: { pageUri: '/contact' } }), FORM_URL)],
    [
      'rule 5',
      request(form({ context: { pageUri: 'https://a.example', ipAddress: '203.0.113.77' } }), FORM_URL),
    ],
    ['rule 5', request(form({ context: { pageUri: 'https://a.example', referrer: 'x' } }), FORM_URL)],
    ['rule 6', request(form({ legalConsentOptions: {} }), FORM_URL)],
    [
      'rule 6',
      request(
        form({
          legalConsentOptions: {
            consent: {
              consentToProcess: true,
              text: 'ok',
              communications: [
                { value: true, subscriptionTypeId: 1, text: 'a' },
                { value: true, subscriptionTypeId: 1, text: 'b' },
              ],
            },
          },
        }),
        FORM_URL,
      ),
    ],
    [
      'rule 6',
      request(
        form({
          legalConsentOptions: {
            legitimateInterest: { value: true, subscriptionTypeId: 1, legalBasis: 'X', text: 't' },
          },
        }),
        FORM_URL,
      ),
    ],
    [
      'rule 7',
      request(form({ legalConsentOptions: { consent: { consentToProcess: false, text: 't' } } }), FORM_URL),
    ],
    ['rule 8', request({ inputs: [event()] }, 'https://api.hubapi.com/events/v2/send')],
    ['rule 8', request({ inputs: [event()] }, EVENTS_URL, {})],
    ['rule 9', request({ inputs: [event({ eventName: 'signed_up' })] }, EVENTS_URL)],
    ['rule 9', request({ inputs: [event({ properties: { Plan: 'pro' } })] }, EVENTS_URL)],
    ['rule 9', request({ inputs: [event({ properties: { plan: 'x'.repeat(51) } })] }, EVENTS_URL)],
    ['rule 9', request({ inputs: [event({ properties: { plan: 5 } })] }, EVENTS_URL)],
    ['rule 9', request({ inputs: [event({ occurredAt: '2026-06-02 11:59' })] }, EVENTS_URL)],
    ['rule 9', request({ inputs: [event({ uuid: 'msg-1' })] }, EVENTS_URL)],
    ['rule 9', request({ inputs: [event({ hutk: 'x' })] }, EVENTS_URL)],
    [
      'rule 9',
      request(
        {
          inputs: [
            event({ properties: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, 'v'])) }),
          ],
        },
        EVENTS_URL,
      ),
    ],
    ['rule 10', request({ inputs: [event({ utk: undefined })] }, EVENTS_URL)],
    ['rule 11', request({ inputs: [] }, EVENTS_URL)],
    ['rule 11', request({ inputs: Array.from({ length: 501 }, () => event()) }, EVENTS_URL)],
    ['rule 11', request({ inputs: [event()], extra: true }, EVENTS_URL)],
  ])('reports %s', (rule, req) => {
    expect(rulesOf(req)).toEqual([rule])
  })

  it('checks field names against the form definition when given one', () => {
    expect(rulesOf(request(form(), FORM_URL), { formFields: ['firstname'] })).toEqual(['rule 3'])
  })

  it('accepts a capture server’s origin only when told to', () => {
    const captured = request({ inputs: [event()] }, 'http://127.0.0.1:9999/events/v3/send/batch')
    expect(rulesOf(captured)).toEqual(['rule 8'])
    expect(rulesOf(captured, { allowOrigin: 'http://127.0.0.1:9999' })).toEqual([])
  })
})
