import { describe, expect, it } from 'vitest'
import { deliverRecords, type OutcomeReport } from '#shared/delivery/deliver.ts'
import type { HttpSender, VendorRequest } from '#shared/delivery/http.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { VendorAdapter } from '#shared/vendors/adapter.ts'
import { type Ga4Payload, ga4Adapter } from '../../support/ga4.ts'
import { GA4_CONFIG, NOW } from '../vendors/fixtures.ts'
import { consentRecord, GA4_POLICY, inMemoryConsent, parkedList, queuedMessage } from './fixtures.ts'

const record = (recordId: string, message: VendorMessage) => ({ recordId, body: JSON.stringify(message) })

/** GA4's adapter with one behaviour changed, standing in for a vendor that has it. */
function adapterWith(change: Partial<VendorAdapter<Ga4Payload>>): VendorAdapter<Ga4Payload> {
  return { ...ga4Adapter(GA4_CONFIG, 'secret', { now: () => NOW }), ...change }
}

function run(adapter: VendorAdapter<Ga4Payload>, answer = { status: 200, headers: {}, body: '{}' }) {
  const sent: VendorRequest[] = []
  const sender: HttpSender = {
    send: async (request) => {
      sent.push(request)
      return answer
    },
  }
  const outcomes: OutcomeReport[] = []
  const deadLetters = parkedList()
  const deliver = (records: ReadonlyArray<{ recordId: string; body: string }>) =>
    deliverRecords(records, {
      binding: () => ({ adapter, policy: GA4_POLICY }),
      consent: inMemoryConsent({ 'consent-key-a': consentRecord('consent-key-a', true) }),
      sender,
      deadLetters,
      now: () => NOW,
      onOutcome: (report) => outcomes.push(report),
    })
  return { deliver, sent, outcomes, deadLetters }
}

describe('what the deliverer does with a vendor’s per-message answers', () => {
  it('parks a message the vendor cannot take (too old) before sending, and sends the others', async () => {
    const adapter = adapterWith({
      unsendable: (payload) => (payload.event.timestamp_micros === 0 ? 'older than the vendor takes' : null),
    })
    const fresh = queuedMessage({ messageId: 'a' })
    const old = queuedMessage({ messageId: 'b' })
    const oldPayload = old.payload as Ga4Payload
    const records = [
      record('r1', fresh),
      record('r2', {
        ...old,
        payload: { ...oldPayload, event: { ...oldPayload.event, timestamp_micros: 0 } },
      }),
    ]
    const { sent, outcomes, deadLetters, deliver } = run(adapter)
    const { failedRecordIds } = await deliver(records)

    expect(sent.flatMap((request) => request.messageIds)).toEqual(['a'])
    expect(deadLetters.parked.map(({ message, reason }) => [message.messageId, reason])).toEqual([
      ['b', 'older than the vendor takes'],
    ])
    expect(outcomes.map(({ messageId, outcome }) => [messageId, outcome]).sort()).toEqual([
      ['a', 'delivered'],
      ['b', 'parked'],
    ])
    expect(failedRecordIds).toEqual([])
  })

  it('settles each message by the vendor’s verdict on it: delivered, retried or parked with the detail', async () => {
    const verdicts = new Map([
      ['a', 'delivered'],
      ['b', 'reject'],
    ] as const)
    const { deliver, outcomes, deadLetters } = run(
      adapterWith({
        classify: () => ({ byMessage: verdicts, others: 'retry', detail: 'element 1: invalid value' }),
      }),
    )
    const records = ['a', 'b', 'c'].map((id, index) => record(`r${index}`, queuedMessage({ messageId: id })))
    const { failedRecordIds } = await deliver(records)

    expect(Object.fromEntries(outcomes.map(({ messageId, outcome }) => [messageId, outcome]))).toEqual({
      a: 'delivered',
      b: 'parked',
      c: 'retry',
    })
    expect(deadLetters.parked.map(({ message, reason }) => [message.messageId, reason])).toEqual([
      ['b', 'ga4 answered 200: element 1: invalid value'],
    ])
    expect(failedRecordIds).toEqual(['r2'])
  })
})
