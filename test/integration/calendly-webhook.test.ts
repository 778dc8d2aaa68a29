import { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoIdempotencyStore } from '#shared/adapters/dynamodb-idempotency-store.ts'
import { sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import { parseConfig } from '#shared/config/load.ts'
import { vendorMessageSchema } from '#shared/delivery/message-schema.ts'
import { visitorRef } from '#shared/identity/visitor-ref.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { SIGNATURE_HEADER } from '#shared/sources/calendly/signature.ts'
import {
  DUPLICATE_REASON,
  GA4_ONLY_REASON,
  NO_SHOW_REASON,
  UNLINKED_HELD_REASON,
} from '#shared/sources/calendly/webhook.ts'
import { APPOINTMENT_BOOKED } from '#shared/tag/api.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { apiEvent, lambdaContext } from '../support/api-event.ts'
import { calendlyBody, calendlySignatureHeader, freshInviteeId, INVITEE_PII } from '../support/calendly.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'

const CONSENT_TABLE = 'consent-calendly-test'
const IDEMPOTENCY_TABLE = 'idempotency-calendly-test'
const PSEUDONYM_KEY = 'calendly-test-pseudonym-key'
const SIGNING_KEYS: Record<string, string> = { example: 'example-signing-key', open: 'open-signing-key' }
const NOW = new Date('2026-12-03T10:15:30.000Z')
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000)
const VENDORS: ReadonlyArray<VendorId> = ['ga4', 'meta', 'hubspot']
const site = (id: string, calendly?: { forwardUnlinked: boolean }) => ({
  id,
  writeKeys: [`${id}-write-key`],
  allowedOrigins: [`https://${id}.example.com`],
  ...(calendly ? { calendly } : {}),
})
const config = parseConfig({
  sites: [site('example'), site('open', { forwardUnlinked: true }), site('nokey')],
  vendors: {
    ga4: {
      enabled: true,
      measurementId: 'G-CALENDLY1',
      // GA4 keeps only allow-listed parameters: a site that wants the booking's facts lists them.
      forwardProperties: [
        'start_hour_utc',
        'start_weekday_utc',
        'days_before_start',
        'rescheduled',
        'canceler_type',
      ],
    },
    meta: { enabled: true, pixelId: '1234567890' },
    hubspot: { enabled: true, portalId: '123456' },
  },
})

let dynamo: EmbeddedDynamo
let sqs: LocalSqs
let sqsClient: SQSClient
let client: ReturnType<typeof documentClient>
let queueCounter = 0

beforeAll(async () => {
  ;[dynamo, sqs] = await Promise.all([
    startEmbeddedDynamo([CONSENT_TABLE, IDEMPOTENCY_TABLE]),
    startLocalSqs(),
  ])
  sqsClient = new SQSClient(sqs.clientConfig)
  client = documentClient(dynamo.clientConfig)
  const consent = dynamoConsentStore(client, CONSENT_TABLE)
  for (const [visitor, analytics] of [
    ['visitor-a', true],
    ['visitor-refusing', false],
  ] as const)
    await consent.record({
      consentKey: consentKey(PSEUDONYM_KEY, 'example', visitor),
      purposes: { analytics, marketing: true },
      policyVersion: '2018-05',
      receiptId: `receipt-${visitor}`,
      updatedAt: NOW.toISOString(),
      expiresAt: NOW_SECONDS + 3600,
    })
})

afterAll(async () => {
  sqsClient.destroy()
  client.destroy()
  await Promise.all([dynamo.close(), sqs.close()])
})

async function collector() {
  const queues = Object.fromEntries(
    await Promise.all(
      VENDORS.map(async (vendor) => [vendor, await sqs.createQueue(`${vendor}-calendly-${++queueCounter}`)]),
    ),
  )
  const decisions: DecisionRecord[] = []
  const logged: unknown[] = []
  const handler = createCollectHandler({
    config,
    consent: dynamoConsentStore(client, CONSENT_TABLE),
    dispatch: sqsDispatch(sqsClient, queues),
    idempotency: dynamoIdempotencyStore(client, IDEMPOTENCY_TABLE),
    pseudonymKey: PSEUDONYM_KEY,
    trustProxy: false,
    now: () => NOW,
    onDecision: (decision) => decisions.push(decision),
    reportError: (error) => logged.push(error),
    calendlySigningKeys: async (siteId) => SIGNING_KEYS[siteId],
  })
  const deliver = async (
    siteId: string,
    body: unknown,
    options: { header?: string | null; base64?: boolean; key?: string; at?: number } = {},
  ) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    const header =
      options.header === undefined
        ? calendlySignatureHeader(
            options.key ?? SIGNING_KEYS[siteId] ?? 'none',
            text,
            options.at ?? NOW_SECONDS,
          )
        : options.header
    const result = await handler(
      apiEvent({
        method: 'POST',
        path: `/v1/webhooks/calendly/${siteId}`,
        body: options.base64 ? Buffer.from(text).toString('base64') : text,
        isBase64Encoded: options.base64 ?? false,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Calendly-Webhooks/2.0',
          ...(header === null ? {} : { [SIGNATURE_HEADER]: header }),
        },
        sourceIp: '198.51.100.23',
      }),
      lambdaContext(),
    )
    const { statusCode, body: answer } = result as { statusCode: number; body: string }
    return { status: statusCode, answer: JSON.parse(answer) }
  }
  const queued = async (vendor: VendorId) =>
    (await sqs.receiveAll(queues[vendor] ?? '')).map((m) => m.Body ?? '')
  return { deliver, queued, decisions, logged }
}

const linkedBooking = (visitor: string, kind: 'invitee.created' | 'invitee.canceled' = 'invitee.created') =>
  calendlyBody(kind, {
    utmContent: visitorRef(PSEUDONYM_KEY, 'example', visitor),
    inviteeId: freshInviteeId(),
  })

function expectNoPii(text: string) {
  const marks = ['invitees/', 'INV-', 'cancellations', 'reschedulings', 'Calendly-Webhooks', '198.51.100']
  for (const value of [...Object.values(INVITEE_PII), ...marks]) expect(text).not.toContain(value)
}

describe('POST /v1/webhooks/calendly/{siteId} through the collect handler (dynalite, fauxqs)', () => {
  it('queues a linked booking of a visitor with analytics consent for GA4 only, with no personal data', async () => {
    const { deliver, queued, decisions, logged } = await collector()

    const { status, answer } = await deliver('example', linkedBooking('visitor-a'))

    expect(status).toBe(200)
    expect(answer).toEqual({ accepted: true, queued: 1 })
    const [message, ...more] = await queued('ga4')
    expect(more).toEqual([])
    expect(await queued('meta')).toEqual([])
    expect(await queued('hubspot')).toEqual([])
    const parsed = vendorMessageSchema.parse(JSON.parse(message ?? '{}'))
    expect(parsed.consentKey).toBe(consentKey(PSEUDONYM_KEY, 'example', 'visitor-a'))
    expect(JSON.stringify(parsed.payload)).toContain('appointment_booked')
    // Internal statistics only: no ad signals, though this visitor allows marketing.
    expect(parsed.payload).toMatchObject({
      consent: { ad_user_data: 'DENIED', ad_personalization: 'DENIED' },
      non_personalized_ads: true,
    })
    expect(decisions.filter((d) => d.vendor === 'meta' || d.vendor === 'hubspot')).toEqual([
      expect.objectContaining({ vendor: 'meta', allow: false, reason: GA4_ONLY_REASON }),
      expect.objectContaining({ vendor: 'hubspot', allow: false, reason: GA4_ONLY_REASON }),
    ])
    expectNoPii(`${message}${JSON.stringify(decisions)}${JSON.stringify(logged)}`)
    expect(message).not.toContain('visitor-a')
  })

  it("follows the linked visitor's stored consent: refused analytics, nothing queued", async () => {
    const { deliver, queued, decisions } = await collector()

    const { answer } = await deliver('example', linkedBooking('visitor-refusing', 'invitee.canceled'))

    expect(answer).toEqual({ accepted: true, queued: 0 })
    expect(await queued('ga4')).toEqual([])
    expect(decisions.find((d) => d.vendor === 'ga4')).toMatchObject({
      allow: false,
      reason: 'stored consent refuses analytics',
    })
  })

  it('answers a redelivery 200 as a duplicate without queuing it again', async () => {
    const { deliver, queued, decisions } = await collector()
    const body = calendlyBody('invitee.created', {
      utmContent: visitorRef(PSEUDONYM_KEY, 'example', 'visitor-a'),
      inviteeId: freshInviteeId(),
    })

    const first = await deliver('example', body)
    const again = await deliver('example', body)

    expect(first.answer).toEqual({ accepted: true, queued: 1 })
    expect(again).toEqual({ status: 200, answer: { accepted: true, queued: 0, duplicate: true } })
    expect(await queued('ga4')).toHaveLength(1)
    expect(decisions.at(-1)).toMatchObject({ vendor: null, allow: false, reason: DUPLICATE_REASON })
  })

  it('holds back an unlinked booking when the site does not forward them', async () => {
    const { deliver, queued, decisions } = await collector()
    const foreignRef = visitorRef(PSEUDONYM_KEY, 'open', 'visitor-a')

    const { answer } = await deliver(
      'example',
      calendlyBody('invitee.created', { utmContent: foreignRef, inviteeId: freshInviteeId() }),
    )

    expect(answer).toEqual({ accepted: true, queued: 0, skipped: UNLINKED_HELD_REASON })
    for (const vendor of VENDORS) expect(await queued(vendor)).toEqual([])
    expect(decisions).toEqual([expect.objectContaining({ allow: false, reason: UNLINKED_HELD_REASON })])
  })

  it('sends an unlinked booking to GA4 with a random id when the site forwards them', async () => {
    const { deliver, queued } = await collector()
    const body = calendlyBody('invitee.created', { inviteeId: freshInviteeId() })
    const other = calendlyBody('invitee.canceled', { inviteeId: freshInviteeId() })

    const first = await deliver('open', body)
    await deliver('open', other)

    expect(first.answer).toEqual({ accepted: true, queued: 1 })
    const messages = (await queued('ga4')).map((text) => vendorMessageSchema.parse(JSON.parse(text)))
    expect(messages).toHaveLength(2)
    expect(messages[0]?.recheck.anonymousStatistic).toBe(true)
    expect(messages[0]?.consentKey).not.toBe(messages[1]?.consentKey)
    expect(await queued('meta')).toEqual([])
    expectNoPii(JSON.stringify(messages))
  })

  it('reads a base64 body as its raw bytes', async () => {
    const { deliver } = await collector()
    const body = calendlyBody('invitee.created', {
      utmContent: visitorRef(PSEUDONYM_KEY, 'example', 'visitor-a'),
      inviteeId: freshInviteeId(),
    })
    expect((await deliver('example', body, { base64: true })).answer).toEqual({ accepted: true, queued: 1 })
  })

  it('accepts a no-show with 200 and forwards nothing', async () => {
    const { deliver, queued, decisions } = await collector()
    const body = {
      event: 'invitee_no_show.created',
      created_at: '2026-12-03T10:15:00Z',
      payload: { invitee: 'x' },
    }
    expect((await deliver('example', body)).answer).toEqual({
      accepted: true,
      queued: 0,
      skipped: NO_SHOW_REASON,
    })
    expect(await queued('ga4')).toEqual([])
    expect(decisions).toEqual([expect.objectContaining({ allow: false })])
  })

  it.each([
    ['a missing signature', { header: null }, SIGNATURE_HEADER],
    ['a malformed signature', { header: 't=1,v1=zz' }, `${SIGNATURE_HEADER}.t`],
    ['another key', { key: 'not-the-signing-key' }, `${SIGNATURE_HEADER}.v1`],
    ['a stale timestamp', { at: NOW_SECONDS - 181 }, `${SIGNATURE_HEADER}.t`],
  ])('answers 401 naming the header for %s, and queues nothing', async (_name, options, field) => {
    const { deliver, queued } = await collector()
    const { status, answer } = await deliver('example', linkedBooking('visitor-a'), options)
    expect(status).toBe(401)
    expect(answer).toMatchObject({ field })
    expect(await queued('ga4')).toEqual([])
  })

  it('answers 401 for a body changed after signing', async () => {
    const { deliver } = await collector()
    const text = JSON.stringify(linkedBooking('visitor-a'))
    const header = calendlySignatureHeader(SIGNING_KEYS.example ?? '', text, NOW_SECONDS)
    const tampered = text.replace('"rescheduled":false', '"rescheduled":true ')
    expect((await deliver('example', tampered, { header })).status).toBe(401)
  })

  it('answers 400 naming the field for a signed v1 body or a wrong shape', async () => {
    const { deliver } = await collector()
    const v1 = {
      event: 'invitee.created',
      time: '2020-01-01 10:00:00',
      created_at: '2020-01-01T10:00:00Z',
      payload: { invitee: {} },
    }
    expect(await deliver('example', v1)).toMatchObject({ status: 400, answer: { field: 'payload.invitee' } })
    expect(await deliver('example', '{"event":')).toMatchObject({ status: 400, answer: { field: 'body' } })
  })

  it('answers the same 404 for an unknown site and a site without a signing key', async () => {
    const { deliver } = await collector()
    const unknown = await deliver('missing', linkedBooking('visitor-a'), { key: 'x' })
    const withoutKey = await deliver('nokey', linkedBooking('visitor-a'), { key: 'x' })
    expect(unknown).toEqual({
      status: 404,
      answer: { error: 'no Calendly webhook for this site', field: 'siteId' },
    })
    expect(withoutKey).toEqual(unknown)
  })

  it('answers 413 for a body over 64 KB before checking anything in it', async () => {
    const { deliver } = await collector()
    expect((await deliver('example', 'x'.repeat(64 * 1024 + 1))).status).toBe(413)
  })
})

describe('a GA4 message of a linked booking', () => {
  it(`is the ${APPOINTMENT_BOOKED} event`, async () => {
    const { deliver, queued } = await collector()
    const body = calendlyBody('invitee.created', {
      utmContent: visitorRef(PSEUDONYM_KEY, 'example', 'visitor-a'),
      inviteeId: freshInviteeId(),
    })
    await deliver('example', body)
    const [text] = await queued('ga4')
    const payload = JSON.stringify(vendorMessageSchema.parse(JSON.parse(text ?? '{}')).payload)
    expect(payload).toContain('"start_weekday_utc":"wednesday"')
  })
})
