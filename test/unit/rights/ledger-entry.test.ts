import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { LedgerRecord } from '#shared/rights/ledger.ts'
import { ledgerRecordOf, sentEventName } from '#shared/rights/ledger-entry.ts'
import { ledgerWriter } from '#shared/rights/ledger-writer.ts'
import { VENDOR_IDS, type VendorId } from '#shared/vendors/index.ts'
import { consentRecord, inMemoryConsent, queuedMessage } from '../delivery/fixtures.ts'

const AT = new Date('2026-12-03T10:00:00.000Z')
/** Every property value carries this mark, so any trace of one in an entry is found. */
const MARK = '§'
const EVENT_TYPES = ['page', 'track', 'identify'] as const
/** Where the vendors' payloads keep the event's name. */
const NAME_FIELDS = ['event', 'event_name', 'eventName', 'kind']

const propertyValues = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.oneof(
    fc.string().map((value) => `${MARK}${value}`),
    fc.array(
      fc.string().map((value) => `${MARK}${value}`),
      { maxLength: 3 },
    ),
  ),
  { maxKeys: 6 },
)
const eventName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_ ]{0,30}$/)

/** The vendor's payload shape with its event name and property values where that vendor keeps them. */
function payloadFor(vendor: VendorId, name: string, properties: Record<string, unknown>): unknown {
  switch (vendor) {
    case 'ga4':
      return { client_id: '1.1', event: { name, params: properties } }
    case 'meta':
      return { event_name: name, event_id: 'm-1', custom_data: properties }
    case 'hubspot':
      return { eventName: name, utk: 'u', properties }
    case 'linkedin':
      return { conversion: 'urn:lla:llaPartnerConversion:1', eventId: 'm-1', conversionValue: properties }
  }
}

const message = (vendor: VendorId, payload: unknown, eventType: (typeof EVENT_TYPES)[number]) =>
  queuedMessage({ vendor, messageId: 'm-1', payload, recheck: { eventType, gpc: false } })

const report = (outcome: OutcomeReport['outcome']): OutcomeReport => ({
  messageId: 'm-1',
  outcome,
  reason: `${MARK} the vendor's answer may quote anything`,
})

describe('a ledger entry', () => {
  it('names the event as sent and never carries a property value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VENDOR_IDS),
        eventName,
        propertyValues,
        fc.constantFrom(...EVENT_TYPES),
        fc.constantFrom('delivered', 'withheld', 'parked' as const),
        (vendor, name, properties, eventType, outcome) => {
          const record = ledgerRecordOf(
            message(vendor, payloadFor(vendor, name, properties), eventType),
            report(outcome),
            AT,
          )
          expect(JSON.stringify(record)).not.toContain(MARK)
          expect(record?.entry.event).toBe(vendor === 'linkedin' ? eventType : name)
        },
      ),
    )
  })

  it('falls back to the event type for any payload without the vendor’s event name', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VENDOR_IDS),
        fc.dictionary(
          fc.string().filter((key) => !NAME_FIELDS.includes(key)),
          fc.jsonValue(),
        ),
        fc.constantFrom(...EVENT_TYPES),
        (vendor, payload, eventType) => {
          const name = sentEventName(message(vendor, payload, eventType))
          expect(name).toBe(eventType)
        },
      ),
    )
  })

  it('is kept for the outcomes that finish a message, under their ledger names, not for a retry', () => {
    const of = (outcome: OutcomeReport['outcome']) =>
      ledgerRecordOf(queuedMessage({ messageId: 'm-1' }), report(outcome), AT)?.entry.outcome ?? null

    expect([of('delivered'), of('withheld'), of('parked'), of('retry')]).toEqual([
      'delivered',
      'withheld',
      'dead-lettered',
      null,
    ])
    expect(ledgerRecordOf(queuedMessage({ messageId: 'm-1' }), report('delivered'), AT)).toEqual({
      consentKey: 'consent-key-a',
      entry: {
        messageId: 'm-1',
        vendor: 'ga4',
        event: 'order_completed',
        at: AT.toISOString(),
        outcome: 'delivered',
      },
    })
  })
})

describe('the ledger writer', () => {
  const messages = new Map<string, VendorMessage>([
    ['m-1', queuedMessage({ messageId: 'm-1' })],
    ['m-2', queuedMessage({ messageId: 'm-2', consentKey: 'never-consented' })],
  ])
  const consent = inMemoryConsent({ 'consent-key-a': consentRecord('consent-key-a', false) })
  const recording = () => {
    const written: LedgerRecord[] = []
    const write = ledgerWriter({
      ledger: { record: async (records) => void written.push(...records) },
      consent,
      reportError: () => {},
      now: () => AT,
    })
    return { written, write }
  }

  it('enters the finished messages it has and skips the rest', async () => {
    const { written, write } = recording()

    await write([report('retry'), { ...report('delivered'), messageId: 'unknown' }], messages)
    expect(written).toEqual([])
    await write([report('delivered')], messages)
    expect(written.map((record) => record.entry.messageId)).toEqual(['m-1'])
  })

  it('keeps nothing of a withheld message whose visitor has no consent record (never consented, or erased)', async () => {
    const { written, write } = recording()

    await write([report('withheld'), { ...report('withheld'), messageId: 'm-2' }], messages)
    expect(written.map(({ consentKey, entry }) => [consentKey, entry.outcome])).toEqual([
      ['consent-key-a', 'withheld'],
    ])
  })

  it('reports a failed write and resolves', async () => {
    const errors: unknown[] = []
    const write = ledgerWriter({
      ledger: {
        record: async () => {
          throw new Error('ledger table unavailable')
        },
      },
      consent,
      reportError: (error) => errors.push(error),
    })

    await expect(write([report('withheld')], messages)).resolves.toBeUndefined()
    expect(errors).toEqual([new Error('ledger table unavailable')])
  })
})
