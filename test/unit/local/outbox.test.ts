import { describe, expect, it } from 'vitest'
import type { VendorMessage } from '#shared/delivery/message.ts'
import { BoundedList } from '../../../local/bounded-list.ts'
import { Outbox } from '../../../local/outbox.ts'

function message(messageId: string): VendorMessage {
  return {
    vendor: 'ga4',
    messageId,
    siteId: 'example',
    consentKey: 'key',
    recheck: { eventType: 'page', gpc: false },
    enqueuedAt: '2026-01-01T00:00:00.000Z',
    payload: {},
  }
}

describe('the local outbox', () => {
  it('keeps only the newest entries of each list and counts all of them', () => {
    const outbox = new Outbox(3)
    for (let n = 0; n < 10_000; n++) outbox.queued.push(message(`m${n}`))
    const shown = JSON.parse(JSON.stringify(outbox))
    expect(shown.queued.map((entry: VendorMessage) => entry.messageId)).toEqual(['m9997', 'm9998', 'm9999'])
    expect(shown.totals.queued).toBe(10_000)
    expect(shown.entriesPerList).toBe(3)
  })

  it('says a dry-run delivery was recorded, not sent, instead of echoing the stand-in answer', () => {
    const outbox = new Outbox()
    outbox.recordDelivery(
      'ga4',
      { messageId: 'a', outcome: 'delivered', reason: 'ga4 answered 204' },
      { dryRun: true },
    )
    outbox.recordDelivery(
      'ga4',
      { messageId: 'b', outcome: 'delivered', reason: 'ga4 answered 204' },
      { dryRun: false },
    )
    outbox.recordDelivery(
      'ga4',
      { messageId: 'c', outcome: 'withheld', reason: 'consent revoked' },
      { dryRun: true },
    )
    expect(
      outbox.deliveries.toArray().map(({ messageId, outcome, reason }) => [messageId, outcome, reason]),
    ).toEqual([
      ['a', 'recorded', 'dry run: recorded, not sent'],
      ['b', 'delivered', 'ga4 answered 204'],
      ['c', 'withheld', 'consent revoked'],
    ])
  })
})

describe('a bounded list', () => {
  it('shows at most its capacity, the newest entries, and finds the newest match among them', () => {
    const list = new BoundedList<number>(100)
    for (let n = 0; n < 1_000; n++) {
      list.push(n)
      expect(list.toArray().length).toBeLessThanOrEqual(100)
    }
    expect(list.findLast((n) => n % 7 === 0)).toBe(994)
    expect(list.findLast((n) => n < 900)).toBeUndefined()
  })
})

describe('the local outbox and contact forms', () => {
  const EMAIL = 'ada@example.org'
  const formMessage = (): VendorMessage => ({
    vendor: 'hubspot',
    messageId: 'form-1',
    siteId: 'example',
    consentKey: 'key',
    recheck: { eventType: 'track', gpc: false, requestedByVisitor: true },
    enqueuedAt: '2026-01-01T00:00:00.000Z',
    payload: { kind: 'form', formId: 'contact', submission: { values: { email: EMAIL } } },
  })

  it('shows queued and parked form submissions with field names but no typed values', () => {
    const outbox = new Outbox()
    outbox.queued.push(formMessage())
    outbox.parked.push({ vendor: 'hubspot', reason: 'test', message: formMessage() })
    const shown = JSON.stringify(outbox)
    expect(shown).not.toContain(EMAIL)
    expect(shown).toContain('"email":"[redacted]"')
  })

  it('shows a Forms API request without the values of its fields', () => {
    const outbox = new Outbox()
    const recorded = outbox.recordRequest(
      {
        vendor: 'hubspot',
        method: 'POST',
        url: 'https://api.hsforms.com/submissions/v3/integration/secure/submit/1/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        headers: { authorization: 'Bearer secret' },
        body: JSON.stringify({ fields: [{ objectTypeId: '0-1', name: 'email', value: EMAIL }] }),
        messageIds: ['form-1'],
      },
      { sent: false },
    )
    expect(JSON.stringify(recorded)).not.toContain(EMAIL)
    expect(recorded.body).toEqual({ fields: [{ objectTypeId: '0-1', name: 'email', value: '[redacted]' }] })
  })
})
