import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import type { VendorPolicy } from '#shared/consent/decide.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import { type DeliverDeps, deliverRecords, type OutcomeReport } from '#shared/delivery/deliver.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { VendorAdapter } from '#shared/vendors/adapter.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { type CaptureResponse, type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { type Ga4Payload, ga4Adapter } from '../support/ga4.ts'
import { validateGa4Request } from '../support/ga4-validator.ts'
import { consentRecord, GA4_POLICY, parkedList, queuedMessage } from '../unit/delivery/fixtures.ts'
import { GA4_CONFIG, NOW } from '../unit/vendors/fixtures.ts'

const CONSENT_TABLE = 'consent'
const SHORT_TIMEOUT_MS = 300

let dynamo: EmbeddedDynamo
let consent: ConsentStore
let vendor: CaptureServer | undefined

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo([CONSENT_TABLE])
  consent = dynamoConsentStore(documentClient(dynamo.clientConfig), CONSENT_TABLE)
  await consent.record(consentRecord('granted-key', true))
  await consent.record(consentRecord('revoked-key', true))
  await consent.record({ ...consentRecord('revoked-key', false), updatedAt: '2025-06-02T11:00:00.000Z' })
})

afterAll(async () => {
  await dynamo.close()
})

afterEach(async () => {
  await vendor?.close()
  vendor = undefined
})

async function deliverAgainst(
  respond: () => CaptureResponse | Promise<CaptureResponse>,
  records: ReadonlyArray<{ recordId: string; body: string }>,
) {
  vendor = await startCaptureServer({ respond })
  const outcomes: OutcomeReport[] = []
  const deadLetters = parkedList()
  const deps: DeliverDeps<Ga4Payload> = {
    binding: bound(
      ga4Adapter({ ...GA4_CONFIG, timeoutMs: SHORT_TIMEOUT_MS }, 'secret', {
        baseUrl: vendor.url,
        now: () => NOW,
      }),
      GA4_POLICY,
    ),
    consent,
    sender: fetchSender(),
    deadLetters,
    now: () => NOW,
    onOutcome: (report) => outcomes.push(report),
  }
  const result = await deliverRecords(records, deps)
  return { result, outcomes, parked: deadLetters.parked, requests: vendor.requests, baseUrl: vendor.url }
}

const record = (recordId: string, message: VendorMessage) => ({ recordId, body: JSON.stringify(message) })

describe('deliverRecords against a GA4 stand-in and dynalite consent', () => {
  it('delivers consented events in a request GA4 would accept', async () => {
    const records = [
      record('r1', queuedMessage({ messageId: 'a', consentKey: 'granted-key' })),
      record('r2', queuedMessage({ messageId: 'b', consentKey: 'granted-key' })),
    ]

    const { result, requests, outcomes, baseUrl } = await deliverAgainst(() => ({ status: 204 }), records)

    expect(result.failedRecordIds).toEqual([])
    expect(requests).toHaveLength(1)
    const [sent] = requests
    expect(sent?.path).toBe('/mp/collect')
    expect(sent?.query).toEqual({ measurement_id: 'G-TEST123', api_secret: 'secret' })
    const asSent = {
      method: sent?.method ?? '',
      url: `${baseUrl}${sent?.url}`,
      headers: sent?.headers ?? {},
      body: sent?.body ?? '',
    }
    expect(validateGa4Request(asSent, NOW, { allowLoopbackHost: true })).toEqual([])
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['delivered', 'delivered'])
  })

  it('withholds queued events of a visitor who revoked consent', async () => {
    const { result, requests, outcomes } = await deliverAgainst(
      () => ({ status: 204 }),
      [record('r1', queuedMessage({ consentKey: 'revoked-key' }))],
    )

    expect(result.failedRecordIds).toEqual([])
    expect(requests).toEqual([])
    expect(outcomes).toEqual([
      { messageId: 'msg-1', outcome: 'withheld', reason: 'stored consent refuses analytics' },
    ])
  })

  it('sends GA4 ad signals as DENIED when marketing was withdrawn after the event was queued', async () => {
    const queuedWithMarketing = queuedMessage({ consentKey: 'granted-key' })
    const grantedSignals = {
      ...queuedWithMarketing,
      payload: {
        ...(queuedWithMarketing.payload as Ga4Payload),
        consent: { ad_user_data: 'GRANTED', ad_personalization: 'GRANTED' },
        non_personalized_ads: false,
      },
    }

    const { requests } = await deliverAgainst(() => ({ status: 204 }), [record('r1', grantedSignals)])

    const sent = JSON.parse(requests[0]?.body ?? '{}')
    expect(sent.consent).toEqual({ ad_user_data: 'DENIED', ad_personalization: 'DENIED' })
    expect(sent.non_personalized_ads).toBe(true)
  })

  it('withholds events of a visitor with no stored consent', async () => {
    const { requests, outcomes } = await deliverAgainst(
      () => ({ status: 204 }),
      [record('r1', queuedMessage({ consentKey: 'unknown-key' }))],
    )

    expect(requests).toEqual([])
    expect(outcomes[0]?.reason).toBe('no stored consent for analytics')
  })

  it('fails the records when GA4 answers 500', async () => {
    const { result, parked } = await deliverAgainst(
      () => ({ status: 500, body: 'oops' }),
      [record('r1', queuedMessage({ consentKey: 'granted-key' }))],
    )

    expect(result.failedRecordIds).toEqual(['r1'])
    expect(parked).toEqual([])
  })

  it('parks the events with the answer when GA4 answers 400', async () => {
    const { result, parked } = await deliverAgainst(
      () => ({ status: 400, body: 'invalid measurement id' }),
      [record('r1', queuedMessage({ consentKey: 'granted-key' }))],
    )

    expect(result.failedRecordIds).toEqual([])
    expect(parked.map((entry) => entry.reason)).toEqual(['ga4 answered 400: invalid measurement id'])
  })

  it('fails the records when GA4 does not answer in time', async () => {
    const { result, outcomes } = await deliverAgainst(
      () => new Promise<CaptureResponse>(() => {}),
      [record('r1', queuedMessage({ consentKey: 'granted-key' }))],
    )

    expect(result.failedRecordIds).toEqual(['r1'])
    expect(outcomes[0]?.reason).toMatch(/^ga4 not reached: TimeoutError/)
  })

  it('parks a garbage body without sending anything', async () => {
    const { result, parked, requests } = await deliverAgainst(
      () => ({ status: 204 }),
      [{ recordId: 'r1', body: 'this is not a message' }],
    )

    expect(result.failedRecordIds).toEqual([])
    expect(requests).toEqual([])
    expect(parked.map((entry) => entry.reason)).toEqual(['queue body is not JSON'])
  })
})

/** A binding that never changes: the adapter built once, with its policy. */
function bound<P>(adapter: VendorAdapter<P>, policy: VendorPolicy) {
  return () => ({ adapter, policy })
}
