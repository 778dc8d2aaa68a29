import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { inMemoryConsentStore } from '#shared/adapters/in-memory-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import { type DeliveryOutcome, deliverRecords } from '#shared/delivery/deliver.ts'
import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Dispatch, VendorMessage } from '#shared/delivery/message.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { inMemoryFormRateLimiter } from '#shared/ingest/form-rate-limit.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { RightsState } from '#shared/rights/api.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import { staticVendorSettings } from '#shared/vendors/runtime-settings.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { apiEvent, lambdaContext } from '../support/api-event.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { hubspotRequestViolations } from '../support/hubspot-validator.ts'

const PSEUDONYM_KEY = 'forms-test-pseudonym-key'
const WRITE_KEY = 'forms-write-key'
const ORIGIN = 'https://www.example.com'
const PAGE = `${ORIGIN}/contact`
const THANK_YOU = `${ORIGIN}/thanks`
const EMAIL = 'ada.lovelace@example.org'
const UTK = '0123456789abcdef0123456789abcdef'
const FORM_GUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const PROCESSING_TEXT = 'I agree that Example may store my details to answer me.'
const NEWSLETTER = { subscriptionTypeId: 999, text: 'Send me the newsletter.' }

const hubspotSettings = {
  enabled: true,
  portalId: '123456',
  formsSendTruncatedIp: false,
  forms: {
    contact: {
      portalId: '123456',
      formGuid: FORM_GUID,
      fields: [{ name: 'email', required: true }, { name: 'firstname' }, { name: 'message' }],
      consent: { processingText: PROCESSING_TEXT, communications: [NEWSLETTER] },
      thankYouUrl: THANK_YOU,
    },
    wide: {
      portalId: '123456',
      formGuid: FORM_GUID,
      fields: Array.from({ length: 8 }, (_, index) => ({ name: `f${index}` })),
    },
  },
}
const config = parseConfig({
  sites: [{ id: 'example', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-TEST123' }, hubspot: hubspotSettings },
})

const urlencoded = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(fields))
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item)
  return params.toString()
}

describe('POST /v1/forms/{formId} (contact forms to HubSpot)', () => {
  let consent: ConsentStore
  let queued: Array<{ vendor: VendorId; message: VendorMessage }>
  let decisions: DecisionRecord[]
  let errors: unknown[]
  let handler: ReturnType<typeof createCollectHandler>

  const grant = (visitorId: string, analytics: boolean, marketing: boolean) =>
    consent.record({
      consentKey: consentKey(PSEUDONYM_KEY, 'example', visitorId),
      purposes: { analytics, marketing },
      policyVersion: '2018-05',
      receiptId: `receipt-${visitorId}`,
      updatedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    })

  const postForm = (
    body: unknown,
    options: {
      formId?: string
      headers?: Record<string, string>
      cookies?: string[]
      sourceIp?: string
    } = {},
  ) =>
    handler(
      apiEvent({
        method: 'POST',
        path: `/v1/forms/${options.formId ?? 'contact'}`,
        body,
        ...(options.sourceIp ? { sourceIp: options.sourceIp } : {}),
        ...(options.cookies ? { cookies: options.cookies } : {}),
        headers: {
          origin: ORIGIN,
          referer: PAGE,
          ...(typeof body === 'string' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...options.headers,
        },
      }),
      lambdaContext(),
    )

  const hubspotMessages = () => queued.filter((entry) => entry.vendor === 'hubspot').map((e) => e.message)

  beforeEach(async () => {
    consent = inMemoryConsentStore()
    await grant('refusing-visitor', false, false)
    await grant('analytics-visitor', true, false)
    await grant('restricted-visitor', true, false)
    queued = []
    decisions = []
    errors = []
    const dispatch: Dispatch = {
      enqueue: async (vendor, messages) => {
        for (const message of messages) queued.push({ vendor, message })
      },
    }
    const restricted = consentKey(PSEUDONYM_KEY, 'example', 'restricted-visitor')
    const rightsOf = (key: string): RightsState | null =>
      key === restricted ? { restricted: true, objections: {} } : null
    handler = createCollectHandler({
      config,
      consent,
      rights: {
        read: async (key) => rightsOf(key),
        readMany: async (keys) => new Map(keys.map((key) => [key, rightsOf(key)])),
        update: async () => {
          throw new Error('not used here')
        },
        forget: async () => {},
      },
      dispatch,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: () => new Date(),
      onDecision: (decision) => decisions.push(decision),
      reportError: (error) => errors.push(error),
      formRateLimiter: inMemoryFormRateLimiter(3),
    })
  })

  it('sends a plain HTML form (urlencoded) on to the thank-you page with a 303 and queues it for HubSpot', async () => {
    const response = await postForm(
      urlencoded({ writeKey: WRITE_KEY, email: EMAIL, firstname: 'Ada', consentToProcess: 'on' }),
    )
    expect(response).toMatchObject({ statusCode: 303, headers: { location: THANK_YOU } })
    const [message] = hubspotMessages()
    expect(message?.payload).toMatchObject({
      kind: 'form',
      formId: 'contact',
      submission: { values: { email: EMAIL, firstname: 'Ada' }, consentToProcess: true, pageUri: PAGE },
    })
    expect(message?.recheck.requestedByVisitor).toBe(true)
  })

  it('answers JSON when the plain form asks for it, and to a script posting JSON', async () => {
    const asked = await postForm(urlencoded({ writeKey: WRITE_KEY, email: EMAIL, consentToProcess: 'on' }), {
      headers: { accept: 'application/json' },
    })
    expect(asked).toMatchObject({ statusCode: 200 })
    expect(JSON.parse(String(asked.body))).toEqual({ accepted: true })
    const script = await postForm({
      writeKey: WRITE_KEY,
      email: EMAIL,
      consentToProcess: true,
      subscriptions: [999],
    })
    expect(JSON.parse(String(script.body))).toEqual({ accepted: true })
    expect(hubspotMessages()).toHaveLength(2)
    expect(hubspotMessages()[1]?.payload).toMatchObject({ submission: { subscriptions: [999] } })
  })

  it('refuses a field the form does not define with 400 naming it, and queues nothing', async () => {
    const response = await postForm({
      writeKey: WRITE_KEY,
      email: EMAIL,
      consentToProcess: true,
      phone: '+44 20',
    })
    expect(response.statusCode).toBe(400)
    expect(JSON.parse(String(response.body))).toMatchObject({ field: 'phone' })
    expect(queued).toEqual([])
  })

  it('refuses a submission without a required field with 400 naming it', async () => {
    const response = await postForm({ writeKey: WRITE_KEY, firstname: 'Ada', consentToProcess: true })
    expect(response.statusCode).toBe(400)
    expect(JSON.parse(String(response.body))).toMatchObject({ field: 'email' })
    expect(queued).toEqual([])
  })

  it('refuses a submission without the processing consent the form asks for', async () => {
    const response = await postForm({ writeKey: WRITE_KEY, email: EMAIL })
    expect(JSON.parse(String(response.body))).toMatchObject({ field: 'consentToProcess' })
    expect(response.statusCode).toBe(400)
  })

  it('answers a filled honeypot as accepted but forwards nothing, and records why', async () => {
    const response = await postForm(
      urlencoded({ writeKey: WRITE_KEY, email: EMAIL, consentToProcess: 'on', _hp: 'http://spam.example' }),
    )
    expect(response).toMatchObject({ statusCode: 303, headers: { location: THANK_YOU } })
    expect(queued).toEqual([])
    expect(decisions).toEqual([
      expect.objectContaining({ vendor: null, allow: false, reason: expect.stringMatching(/honeypot/) }),
    ])
  })

  it('limits submissions per visitor and form (429 after the limit), not other visitors', async () => {
    const submit = (anonymousId: string) =>
      postForm({ writeKey: WRITE_KEY, anonymousId, email: EMAIL, consentToProcess: true })
    for (let i = 0; i < 3; i++) expect((await submit('busy-visitor')).statusCode).toBe(200)
    expect((await submit('busy-visitor')).statusCode).toBe(429)
    expect((await submit('other-visitor')).statusCode).toBe(200)
    expect(hubspotMessages()).toHaveLength(4)
  })

  it('refuses a foreign origin, a missing origin and an unknown write key; 404 for an unknown form', async () => {
    const body = { writeKey: WRITE_KEY, email: EMAIL, consentToProcess: true }
    expect((await postForm(body, { headers: { origin: 'https://evil.example' } })).statusCode).toBe(403)
    const noOrigin = await handler(
      apiEvent({ method: 'POST', path: '/v1/forms/contact', body }),
      lambdaContext(),
    )
    expect(noOrigin.statusCode).toBe(403)
    expect((await postForm({ ...body, writeKey: 'nope' })).statusCode).toBe(401)
    expect((await postForm(body, { formId: 'unknown' })).statusCode).toBe(404)
    expect(queued).toEqual([])
    expect(decisions.map((decision) => decision.reason)).toContain('form unknown is not configured')
  })

  it('refuses (413) a submission whose queue message would not fit in SQS, however its text escapes', async () => {
    // Raw control characters: 1 byte each in the (56 KB) body, 6 each once JSON-escaped in the message.
    const escapes = '\u0001'.repeat(7_000)
    const fields = Array.from({ length: 8 }, (_, index) => `f${index}=${escapes}`).join('&')
    const response = await postForm(`writeKey=${WRITE_KEY}&${fields}`, { formId: 'wide' })
    expect(response.statusCode).toBe(413)
    expect(JSON.parse(String(response.body))).toMatchObject({
      field: 'body',
      error: expect.stringContaining('204800'),
    })
    expect(queued).toEqual([])
  })

  it('takes the Referer origin of a plain form when there is no Origin header', async () => {
    const response = await handler(
      apiEvent({
        method: 'POST',
        path: '/v1/forms/contact',
        body: urlencoded({ writeKey: WRITE_KEY, email: EMAIL, consentToProcess: 'on' }),
        headers: { referer: PAGE, 'content-type': 'application/x-www-form-urlencoded' },
      }),
      lambdaContext(),
    )
    expect(response.statusCode).toBe(303)
  })

  it('sends hutk only when the visitor allows analytics', async () => {
    const submit = (anonymousId: string) =>
      postForm(
        { writeKey: WRITE_KEY, anonymousId, email: EMAIL, consentToProcess: true },
        { cookies: [`hubspotutk=${UTK}`] },
      )
    await submit('refusing-visitor')
    await submit('analytics-visitor')
    await submit('restricted-visitor')
    const [refused, allowed, restricted] = hubspotMessages()
    expect(refused?.payload).not.toHaveProperty('submission.hutk')
    expect(allowed?.payload).toHaveProperty('submission.hutk', UTK)
    // Restricted (Art. 18): the contact request goes, but is not linked to the visitor's browsing.
    expect(restricted?.payload).not.toHaveProperty('submission.hutk')
  })

  it('keeps the e-mail out of every decision, error and other vendor’s queue; others get a bare Form Submitted', async () => {
    await postForm(
      {
        writeKey: WRITE_KEY,
        anonymousId: 'analytics-visitor',
        email: EMAIL,
        message: 'Call me',
        consentToProcess: true,
      },
      { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36' } },
    )
    const others = queued.filter((entry) => entry.vendor !== 'hubspot')
    expect(JSON.stringify(decisions)).not.toContain(EMAIL)
    expect(JSON.stringify(errors)).not.toContain(EMAIL)
    expect(JSON.stringify(others)).not.toContain(EMAIL)
    expect(JSON.stringify(others)).not.toContain('Call me')
    expect(others.map((entry) => entry.vendor)).toEqual(['ga4'])
    expect(JSON.stringify(others[0]?.message.payload)).toContain('form_submitted')
  })

  describe('delivered to a HubSpot stand-in', () => {
    let standIn: CaptureServer
    beforeAll(async () => {
      standIn = await startCaptureServer()
    })
    afterAll(() => standIn.close())

    it('forwards the contact request of a visitor who refused everything, with exactly the typed fields', async () => {
      await postForm(
        urlencoded({
          writeKey: WRITE_KEY,
          anonymousId: 'refusing-visitor',
          email: EMAIL,
          firstname: 'Ada',
          consentToProcess: 'on',
          subscriptions: '999',
        }),
        { headers: { 'sec-gpc': '1' }, cookies: [`hubspotutk=${UTK}`] },
      )
      expect(queued.map((entry) => entry.vendor)).toEqual(['hubspot'])
      const outcomes: Array<{ outcome: DeliveryOutcome; reason: string }> = []
      const [message] = hubspotMessages()
      const result = await deliverRecords([{ recordId: 'r1', body: JSON.stringify(message) }], {
        binding: vendorBinding({
          vendor: hubspotVendor,
          settings: staticVendorSettings({ hubspot: hubspotVendor.settingsSchema.parse(hubspotSettings) }),
          credentials: async () => JSON.stringify({ accessToken: 'forms-test-token' }),
          baseUrl: standIn.url,
          production: true,
          now: () => new Date(),
        }),
        consent,
        sender: fetchSender(),
        deadLetters: { park: async () => {} },
        now: () => new Date(),
        onOutcome: (report) => outcomes.push(report),
      })
      expect(result.failedRecordIds).toEqual([])
      expect(outcomes.map((o) => o.outcome)).toEqual(['delivered'])
      const [captured] = await standIn.waitFor(1)
      if (!captured) throw new Error('no request reached the stand-in')
      expect(captured.method).toBe('POST')
      const request: VendorRequest = {
        vendor: 'hubspot',
        method: 'POST',
        url: `${standIn.url}${captured.url}`,
        headers: Object.fromEntries(
          Object.entries(captured.headers).flatMap(([name, value]) =>
            typeof value === 'string' ? [[name, value]] : [],
          ),
        ),
        body: captured.body,
        messageIds: [],
      }
      expect(
        hubspotRequestViolations(request, new Date(), {
          allowOrigin: standIn.url,
          formFields: ['email', 'firstname', 'message'],
        }),
      ).toEqual([])
      expect(captured.path).toBe(`/submissions/v3/integration/secure/submit/123456/${FORM_GUID}`)
      const body = JSON.parse(captured.body)
      expect(body.fields).toEqual([
        { objectTypeId: '0-1', name: 'email', value: EMAIL },
        { objectTypeId: '0-1', name: 'firstname', value: 'Ada' },
      ])
      expect(body.context).toEqual({ pageUri: PAGE })
      expect(body.legalConsentOptions).toEqual({
        consent: {
          consentToProcess: true,
          text: PROCESSING_TEXT,
          communications: [{ value: true, subscriptionTypeId: 999, text: NEWSLETTER.text }],
        },
      })
    })

    it('withholds a queued contact request once HubSpot is switched off', async () => {
      await postForm({ writeKey: WRITE_KEY, email: EMAIL, consentToProcess: true })
      const [message] = hubspotMessages()
      const outcomes: DeliveryOutcome[] = []
      await deliverRecords([{ recordId: 'r2', body: JSON.stringify(message) }], {
        binding: vendorBinding({
          vendor: hubspotVendor,
          settings: staticVendorSettings({
            hubspot: hubspotVendor.settingsSchema.parse({ ...hubspotSettings, enabled: false }),
          }),
          credentials: async () => JSON.stringify({ accessToken: 'forms-test-token' }),
          production: true,
          now: () => new Date(),
        }),
        consent,
        sender: fetchSender(),
        deadLetters: { park: async () => {} },
        now: () => new Date(),
        onOutcome: (report) => outcomes.push(report.outcome),
      })
      expect(outcomes).toEqual(['withheld'])
    })
  })
})
