import { describe, expect, it } from 'vitest'
import { type DeliverDeps, deliverRecords, type OutcomeReport } from '#shared/delivery/deliver.ts'
import type { HttpSender, VendorRequest } from '#shared/delivery/http.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { Redelivery } from '#shared/delivery/redelivery.ts'
import { switchedOffAdapter } from '#shared/vendors/adapter.ts'
import { GA4_PURPOSES, type Ga4Payload, ga4Adapter } from '../../support/ga4.ts'
import { GA4_CONFIG, NOW } from '../vendors/fixtures.ts'
import { consentRecord, GA4_POLICY, inMemoryConsent, parkedList, queuedMessage } from './fixtures.ts'

/** A sender that answers every request with `status` (or throws `error`) and keeps what it was given. */
function stubSender(
  answer: { status: number; body?: string; headers?: Record<string, string> } | Error = { status: 204 },
) {
  const sent: VendorRequest[] = []
  const sender: HttpSender & { sent: VendorRequest[] } = {
    sent,
    async send(request) {
      sent.push(request)
      if (answer instanceof Error) throw answer
      return { status: answer.status, headers: answer.headers ?? {}, body: answer.body ?? '' }
    },
  }
  return sender
}

function setup(overrides: Partial<DeliverDeps<Ga4Payload>> = {}) {
  const outcomes: OutcomeReport[] = []
  const consent = inMemoryConsent({
    'consent-key-a': consentRecord('consent-key-a', true),
    'consent-key-b': consentRecord('consent-key-b', true),
    'consent-key-revoked': consentRecord('consent-key-revoked', false),
    'consent-key-broken': new Error('DynamoDB throttled'),
  })
  const sender = stubSender()
  const deadLetters = parkedList()
  const deps: DeliverDeps<Ga4Payload> = {
    binding: () => ({ adapter: ga4Adapter(GA4_CONFIG, 'secret', { now: () => NOW }), policy: GA4_POLICY }),
    consent,
    sender,
    deadLetters,
    now: () => NOW,
    onOutcome: (report) => outcomes.push(report),
    ...overrides,
  }
  return { deps, outcomes, consent, sender, deadLetters }
}

const record = (recordId: string, message: VendorMessage | string) => ({
  recordId,
  body: typeof message === 'string' ? message : JSON.stringify(message),
})

describe('deliverRecords', () => {
  it('sends a batch of consented messages in one request and fails nothing', async () => {
    const { deps, sender, outcomes } = setup()
    const records = [
      record('r1', queuedMessage({ messageId: 'a' })),
      record('r2', queuedMessage({ messageId: 'b', consentKey: 'consent-key-b' })),
    ]

    const result = await deliverRecords(records, deps)

    expect(result.failedRecordIds).toEqual([])
    expect(sender.sent.flatMap((request) => request.messageIds).sort()).toEqual(['a', 'b'])
    expect(outcomes.map((o) => [o.messageId, o.outcome])).toEqual([
      ['a', 'delivered'],
      ['b', 'delivered'],
    ])
  })

  it('looks each consent key up once per batch', async () => {
    const { deps, consent } = setup()
    const records = ['a', 'b', 'c'].map((id) => record(id, queuedMessage({ messageId: id })))

    await deliverRecords(records, deps)

    expect(consent.lookups).toEqual(['consent-key-a'])
  })

  it('withholds a message whose consent was revoked after it was queued, without failing it', async () => {
    const { deps, sender, outcomes } = setup()

    const result = await deliverRecords(
      [record('r1', queuedMessage({ consentKey: 'consent-key-revoked' }))],
      deps,
    )

    expect(result.failedRecordIds).toEqual([])
    expect(sender.sent).toEqual([])
    expect(outcomes).toEqual([
      { messageId: 'msg-1', outcome: 'withheld', reason: 'stored consent refuses analytics' },
    ])
  })

  it('withholds everything while the vendor is switched off, even with a switched-off adapter', async () => {
    const { deps, sender, outcomes } = setup({
      binding: () => ({
        adapter: switchedOffAdapter<Ga4Payload>('ga4', GA4_PURPOSES),
        policy: { ...GA4_POLICY, enabled: false },
      }),
    })

    const result = await deliverRecords([record('r1', queuedMessage())], deps)

    expect(result.failedRecordIds).toEqual([])
    expect(sender.sent).toEqual([])
    expect(outcomes[0]).toMatchObject({ outcome: 'withheld', reason: 'ga4 is switched off by admin' })
  })

  it('fails the records whose consent lookup failed and delivers the rest', async () => {
    const { deps, sender } = setup()
    const records = [
      record('r1', queuedMessage({ messageId: 'a', consentKey: 'consent-key-broken' })),
      record('r2', queuedMessage({ messageId: 'b' })),
    ]

    const result = await deliverRecords(records, deps)

    expect(result.failedRecordIds).toEqual(['r1'])
    expect(sender.sent.flatMap((request) => request.messageIds)).toEqual(['b'])
  })

  it('parks an unreadable body with its reason instead of failing it', async () => {
    const { deps, deadLetters, outcomes } = setup()

    const result = await deliverRecords([record('r1', '{not json')], deps)

    expect(result.failedRecordIds).toEqual([])
    expect(deadLetters.parked).toEqual([
      {
        message: expect.objectContaining({ messageId: 'r1', payload: { unreadableBody: '{not json' } }),
        reason: 'queue body is not JSON',
      },
    ])
    expect(outcomes[0]).toMatchObject({ messageId: 'r1', outcome: 'parked' })
  })

  it('parks a message that is not a vendor message, naming the bad fields', async () => {
    const { deps, deadLetters } = setup()

    await deliverRecords([record('r1', JSON.stringify({ vendor: 'ga4', messageId: 'x' }))], deps)

    expect(deadLetters.parked[0]?.reason).toMatch(/^queue body is not a vendor message \(bad .*consentKey/)
  })

  it('parks a consented message whose payload GA4 cannot take', async () => {
    const { deps, deadLetters, sender } = setup()

    await deliverRecords([record('r1', queuedMessage({ payload: { event: 'nope' } }))], deps)

    expect(sender.sent).toEqual([])
    expect(deadLetters.parked.map((p) => p.reason)).toEqual(['invalid ga4 payload'])
  })

  it('parks a message meant for another vendor', async () => {
    const { deps, deadLetters } = setup()
    const body = JSON.stringify({ ...queuedMessage(), vendor: 'meta' })

    await deliverRecords([record('r1', body)], deps)

    expect(deadLetters.parked[0]?.reason).toBe('message for meta on the ga4 queue')
  })

  it('sends a message queued twice once and settles both records together', async () => {
    const sender = stubSender({ status: 503 })
    const { deps } = setup({ sender })
    const message = queuedMessage({ messageId: 'same' })

    const result = await deliverRecords([record('r1', message), record('r2', message)], deps)

    expect(sender.sent.map((request) => request.messageIds)).toEqual([['same']])
    expect(result.failedRecordIds).toEqual(['r1', 'r2'])
  })

  it('fails the records of a request answered 429 or 5xx', async () => {
    for (const status of [429, 500]) {
      const { deps } = setup({ sender: stubSender({ status }) })

      const result = await deliverRecords([record('r1', queuedMessage())], deps)

      expect(result.failedRecordIds).toEqual(['r1'])
    }
  })

  it('fails the records of a request that never reached the vendor', async () => {
    const { deps, outcomes } = setup({ sender: stubSender(new TypeError('fetch failed')) })

    const result = await deliverRecords([record('r1', queuedMessage())], deps)

    expect(result.failedRecordIds).toEqual(['r1'])
    expect(outcomes[0]).toMatchObject({
      outcome: 'retry',
      reason: 'ga4 not reached: TypeError: fetch failed; next try after the queue visibility timeout',
    })
  })

  it('parks every message of a rejected request with the answer, without failing them', async () => {
    const { deps, deadLetters } = setup({ sender: stubSender({ status: 400, body: 'bad\n  request' }) })
    const records = ['a', 'b'].map((id) => record(id, queuedMessage({ messageId: id })))

    const result = await deliverRecords(records, deps)

    expect(result.failedRecordIds).toEqual([])
    expect(deadLetters.parked.map((p) => [p.message.messageId, p.reason])).toEqual([
      ['a', 'ga4 answered 400: bad request'],
      ['b', 'ga4 answered 400: bad request'],
    ])
  })

  it('fails a record it could not park, so nothing is lost', async () => {
    const { deps } = setup({ deadLetters: parkedList(true) })

    const result = await deliverRecords([record('r1', 'garbage')], deps)

    expect(result.failedRecordIds).toEqual(['r1'])
  })

  describe('retries', () => {
    function recordingRedelivery(failWith?: Error) {
      const delayed: Array<{ recordId: string; receiptHandle: string; delaySeconds: number }> = []
      const redelivery: Redelivery & { delayed: typeof delayed } = {
        delayed,
        async delay(records) {
          if (failWith) throw failWith
          delayed.push(...records)
        },
      }
      return redelivery
    }
    const received = (recordId: string, message: VendorMessage, receiveCount: number) => ({
      ...record(recordId, message),
      receiptHandle: `handle-${recordId}`,
      receiveCount,
    })

    it("waits at least the vendor's Retry-After before the next receive", async () => {
      const redelivery = recordingRedelivery()
      const { deps, outcomes } = setup({
        sender: stubSender({ status: 429, headers: { 'retry-after': '7' } }),
        redelivery,
        random: () => 0,
      })

      const result = await deliverRecords([received('r1', queuedMessage(), 1)], deps)

      expect(result.failedRecordIds).toEqual(['r1'])
      expect(redelivery.delayed).toEqual([{ recordId: 'r1', receiptHandle: 'handle-r1', delaySeconds: 7 }])
      expect(outcomes[0]).toMatchObject({ outcome: 'retry', reason: 'ga4 answered 429; next try in 7 s' })
    })

    it('backs off further for a record received more often', async () => {
      const redelivery = recordingRedelivery()
      const { deps } = setup({ sender: stubSender({ status: 503 }), redelivery, random: () => 0.5 })
      const records = [
        received('r1', queuedMessage({ messageId: 'a' }), 1),
        received('r2', queuedMessage({ messageId: 'b', consentKey: 'consent-key-b' }), 6),
      ]

      await deliverRecords(records, deps)

      expect(redelivery.delayed.map(({ recordId, delaySeconds }) => [recordId, delaySeconds])).toEqual([
        ['r1', 1],
        ['r2', 32],
      ])
    })

    it('still fails the record when the delay cannot be set, so the visibility timeout brings it back', async () => {
      const { deps, outcomes } = setup({
        sender: stubSender({ status: 500 }),
        redelivery: recordingRedelivery(new Error('SQS throttled')),
      })

      const result = await deliverRecords([received('r1', queuedMessage(), 2)], deps)

      expect(result.failedRecordIds).toEqual(['r1'])
      expect(outcomes[0]?.reason).toBe(
        'ga4 answered 500; next try after the queue visibility timeout (could not set the delay: Error: SQS throttled)',
      )
    })
  })
})
