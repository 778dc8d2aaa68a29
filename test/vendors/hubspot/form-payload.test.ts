import { describe, expect, it } from 'vitest'
import type { HubspotFormPayload, HubspotPayload } from '#shared/vendors/hubspot/index.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import { hubspotRequestViolations } from '../../support/hubspot-validator.ts'
import { collectedEvent, mapped, NOW, sendContext } from './fixtures.ts'

const FORM_GUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'

function formPayload(values: Record<string, string> = { email: 'ada@example.org' }): HubspotFormPayload {
  return {
    kind: 'form',
    formId: 'contact',
    config: {
      portalId: '123456',
      formGuid: FORM_GUID,
      fields: [
        { name: 'email', objectTypeId: '0-1', required: true },
        { name: 'firstname', objectTypeId: '0-1', required: false },
      ],
      consent: { processingText: 'I agree.', communications: [] },
    },
    submission: {
      values,
      consentToProcess: true,
      subscriptions: [],
      submittedAt: NOW.toISOString(),
      pageUri: 'https://www.example.com/contact',
    },
  }
}

describe('HubSpot form submissions on the queue', () => {
  it('reads both payload kinds from the queue, and nothing that mixes them', () => {
    expect(hubspotVendor.payloadSchema.safeParse(formPayload()).success).toBe(true)
    expect(hubspotVendor.payloadSchema.safeParse(mapped(collectedEvent())).success).toBe(true)
    expect(hubspotVendor.payloadSchema.safeParse({ ...mapped(collectedEvent()), kind: 'form' }).success).toBe(
      false,
    )
  })

  it('sends each form submission as its own Forms API request and the events in one batch', () => {
    const batch: Array<{ messageId: string; payload: HubspotPayload }> = [
      { messageId: 'e1', payload: mapped(collectedEvent({ messageId: 'e1' })) },
      { messageId: 'f1', payload: formPayload() },
      { messageId: 'e2', payload: mapped(collectedEvent({ messageId: 'e2' })) },
      { messageId: 'f2', payload: formPayload({ email: 'grace@example.org', firstname: 'Grace' }) },
    ]
    const requests = hubspotVendor.buildRequests(batch, sendContext())
    expect(requests.map((request) => request.messageIds)).toEqual([['e1', 'e2'], ['f1'], ['f2']])
    for (const request of requests) {
      expect(hubspotRequestViolations(request, NOW, { formFields: ['email', 'firstname'] })).toEqual([])
    }
    expect(requests[1]?.url).toBe(
      `https://api.hsforms.com/submissions/v3/integration/secure/submit/123456/${FORM_GUID}`,
    )
  })

  it('parks a form payload HubSpot would refuse, naming the field but not its value', () => {
    const reason = hubspotVendor.unsendable(formPayload({ phone: '+44 20 7946 0000' }))
    expect(reason).toMatch(/"phone"/)
    expect(reason).not.toContain('7946')
    expect(hubspotVendor.unsendable(formPayload())).toBeNull()
  })

  it('classifies a Forms API refusal as a rejection with HubSpot’s error types', () => {
    const [request] = hubspotVendor.buildRequests([{ messageId: 'f', payload: formPayload() }], sendContext())
    if (!request) throw new Error('no request')
    const body = JSON.stringify({
      status: 'error',
      message: 'The request is not valid',
      errors: [{ message: 'Required field', errorType: 'REQUIRED_FIELD' }],
    })
    const classified = hubspotVendor.classify({ status: 400, headers: {}, body }, request, NOW)
    expect(classified).toMatchObject({ all: 'reject', detail: expect.stringContaining('REQUIRED_FIELD') })
  })
})
