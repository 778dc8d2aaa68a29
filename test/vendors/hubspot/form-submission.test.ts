import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type HubspotFormConfig, hubspotFormConfigSchema } from '#shared/vendors/hubspot/form-config.ts'
import {
  classifyFormSubmitResponse,
  type FormSubmission,
  formSubmitRequest,
} from '#shared/vendors/hubspot/form-submission.ts'
import { hubspotRequestViolations } from '../../support/hubspot-validator.ts'
import { NOW, PORTAL_ID, TOKEN, UTK } from './fixtures.ts'

const FORM_GUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const PROCESSING_TEXT = 'I agree to let Example Ltd store and process my data to answer my request.'
const NEWSLETTER_TEXT = 'Send me the monthly newsletter.'

function formConfig(overrides: Record<string, unknown> = {}): HubspotFormConfig {
  return hubspotFormConfigSchema.parse({
    portalId: PORTAL_ID,
    formGuid: FORM_GUID,
    fields: [
      { name: 'email', required: true },
      { name: 'firstname' },
      { name: 'message', required: true },
      { name: 'name', objectTypeId: '0-2' },
    ],
    consent: {
      processingText: PROCESSING_TEXT,
      communications: [
        { subscriptionTypeId: 999, text: NEWSLETTER_TEXT },
        { subscriptionTypeId: 1001, text: 'Tell me about events.' },
      ],
    },
    thankYouUrl: 'https://shop.example/thanks',
    ...overrides,
  })
}

function submission(overrides: Partial<FormSubmission> = {}): FormSubmission {
  return {
    id: 'form-1',
    values: { email: 'jane@example.com', message: 'Please call me back', firstname: 'Jane' },
    consentToProcess: true,
    subscriptions: [999],
    submittedAt: new Date(NOW.getTime() - 1000),
    pageUri: 'https://shop.example/contact',
    pageName: 'Contact us',
    ...overrides,
  }
}

const context = (config = formConfig()) => ({ config, credentials: { accessToken: TOKEN } })

function built(input = submission(), config = formConfig()) {
  const result = formSubmitRequest(input, context(config))
  if (!result.ok) throw new Error(result.reason)
  return result.request
}

const bodyOf = (input = submission(), config = formConfig()) => JSON.parse(built(input, config).body)
const formFields = (config = formConfig()) => config.fields.map((field) => field.name)

describe('HubSpot form submission', () => {
  it('posts the typed fields, the page and the ticked consent to the authenticated secure submit', () => {
    const request = built()
    expect(request).toMatchObject({
      method: 'POST',
      url: `https://api.hsforms.com/submissions/v3/integration/secure/submit/${PORTAL_ID}/${FORM_GUID}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      messageIds: ['form-1'],
    })
    expect(JSON.parse(request.body)).toEqual({
      fields: [
        { objectTypeId: '0-1', name: 'email', value: 'jane@example.com' },
        { objectTypeId: '0-1', name: 'firstname', value: 'Jane' },
        { objectTypeId: '0-1', name: 'message', value: 'Please call me back' },
      ],
      submittedAt: String(NOW.getTime() - 1000),
      context: { pageUri: 'https://shop.example/contact', pageName: 'Contact us' },
      legalConsentOptions: {
        consent: {
          consentToProcess: true,
          text: PROCESSING_TEXT,
          communications: [
            { value: true, subscriptionTypeId: 999, text: NEWSLETTER_TEXT },
            { value: false, subscriptionTypeId: 1001, text: 'Tell me about events.' },
          ],
        },
      },
    })
    expect(hubspotRequestViolations(request, NOW, { formFields: formFields() })).toEqual([])
  })

  it('carries hutk and a truncated IP only when the caller gives them', () => {
    expect(bodyOf().context).not.toHaveProperty('hutk')
    expect(bodyOf().context).not.toHaveProperty('ipAddress')
    const withBoth = bodyOf(submission({ hutk: UTK, ipAddress: '203.0.113.0' }))
    expect(withBoth.context).toMatchObject({ hutk: UTK, ipAddress: '203.0.113.0' })
  })

  it('refuses an untruncated IP rather than forwarding it', () => {
    const result = formSubmitRequest(submission({ ipAddress: '203.0.113.77' }), context())
    expect(result).toEqual({ ok: false, reason: 'ipAddress is not a truncated IP' })
  })

  it('refuses fields the form does not define, naming the field but not its value', () => {
    const result = formSubmitRequest(
      submission({ values: { email: 'a@b.example', message: 'hi', phone: '+44 20 7946 0958' } }),
      context(),
    )
    expect(result).toEqual({ ok: false, reason: 'field "phone" is not in the form' })
  })

  it('refuses a submission that misses a required field', () => {
    const result = formSubmitRequest(
      submission({ values: { email: 'a@b.example', message: '  ' } }),
      context(),
    )
    expect(result).toEqual({ ok: false, reason: 'required field message is empty' })
  })

  it('does not submit without processing consent on a form that asks for it', () => {
    const result = formSubmitRequest(submission({ consentToProcess: false }), context())
    expect(result.ok).toBe(false)
  })

  it('sends no legalConsentOptions for a form without consent options', () => {
    const body = bodyOf(submission({ consentToProcess: false }), formConfig({ consent: undefined }))
    expect(body).not.toHaveProperty('legalConsentOptions')
  })

  it('refuses a page that is no absolute http(s) URL and a malformed hutk', () => {
    expect(formSubmitRequest(submission({ pageUri: '/contact' }), context()).ok).toBe(false)
    expect(formSubmitRequest(submission({ hutk: 'abc' }), context()).ok).toBe(false)
  })

  it('refuses form configurations HubSpot could not take', () => {
    const parse = (overrides: Record<string, unknown>) =>
      hubspotFormConfigSchema.safeParse({ ...formConfig(), ...overrides }).success
    expect(parse({})).toBe(true)
    expect(parse({ formGuid: 'not-a-guid' })).toBe(false)
    expect(parse({ fields: [] })).toBe(false)
    expect(parse({ fields: [{ name: 'email' }, { name: 'email' }] })).toBe(false)
    expect(
      parse({
        consent: {
          processingText: 'x',
          communications: [
            { subscriptionTypeId: 1, text: 'a' },
            { subscriptionTypeId: 1, text: 'b' },
          ],
        },
      }),
    ).toBe(false)
    expect(parse({ thankYouUrl: 'javascript:alert(1)' })).toBe(false)
  })

  it('puts HubSpot’s errorTypes into the dead-letter detail', () => {
    const body = JSON.stringify({
      status: 'error',
      message: 'The request is not valid',
      correlationId: 'c0ffee00-0000-4000-8000-000000000000',
      errors: [{ message: 'Required field missing', errorType: 'REQUIRED_FIELD' }],
    })
    const classification = classifyFormSubmitResponse({ status: 400, headers: {}, body }, built(), NOW)
    expect(classification).toEqual({
      all: 'reject',
      detail: 'HubSpot 400: The request is not valid [REQUIRED_FIELD]',
    })
    const ok = { status: 200, headers: {}, body: '{"inlineMessage":"Thanks!"}' }
    expect(classifyFormSubmitResponse(ok, built(), NOW)).toEqual({ all: 'delivered' })
  })

  it('builds only requests the validator accepts, or says why not (property)', () => {
    const value = fc.string({ maxLength: 40 })
    const typed = fc.record(
      { email: value, firstname: value, message: value, name: value },
      { requiredKeys: ['email', 'message'] },
    )
    let sent = 0
    fc.assert(
      fc.property(
        fc.oneof(typed, fc.dictionary(fc.constantFrom('email', 'firstname', 'message', 'other'), value)),
        fc.boolean(),
        fc.subarray([999, 1001, 5]),
        fc.option(fc.constantFrom(UTK, '203.0.113.0', '2001:db8:85a3::'), { nil: undefined }),
        fc.oneof(
          { arbitrary: fc.webUrl(), weight: 4 },
          { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
        ),
        fc.string({ maxLength: 50 }),
        (values, consentToProcess, subscriptions, extra, pageUri, pageName) => {
          const input = submission({
            values,
            consentToProcess,
            subscriptions,
            pageUri,
            pageName,
            ...(extra === UTK ? { hutk: extra } : extra === undefined ? {} : { ipAddress: extra }),
          })
          const result = formSubmitRequest(input, context())
          if (!result.ok) return
          sent += 1
          expect(hubspotRequestViolations(result.request, NOW, { formFields: formFields() })).toEqual([])
          const typedValues: Record<string, string | undefined> = values
          const sentFields: Array<{ name: string; value: string }> = JSON.parse(result.request.body).fields
          for (const field of sentFields) expect(field.value).toBe(typedValues[field.name]?.trim())
        },
      ),
      { numRuns: 300 },
    )
    expect(sent).toBeGreaterThan(30)
  })
})
