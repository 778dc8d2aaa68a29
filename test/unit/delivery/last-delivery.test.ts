import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseLastDelivery } from '#shared/adapters/dynamodb-last-delivery.ts'
import type { LastDelivery } from '#shared/admin/api.ts'
import type { LastDeliveryStore } from '#shared/admin/ports.ts'
import type { DeliveryOutcome, OutcomeReport } from '#shared/delivery/deliver.ts'
import {
  LAST_DELIVERY_WRITE_INTERVAL_MS,
  lastDeliveryRecorder,
  MAX_LAST_DELIVERY_DETAIL_CHARS,
  summariseBatch,
} from '#shared/delivery/last-delivery.ts'

const AT = new Date('2026-12-03T10:00:00.000Z')
const report = (outcome: DeliveryOutcome, reason = `${outcome} reason`): OutcomeReport => ({
  messageId: `m-${outcome}`,
  outcome,
  reason,
})

describe('summariseBatch', () => {
  it('names the worst outcome of the batch, with its reason', () => {
    const batch = [report('delivered'), report('withheld'), report('parked'), report('retry')]
    expect(summariseBatch(batch, AT)).toEqual({
      at: AT.toISOString(),
      outcome: 'dead-lettered',
      detail: 'parked reason',
    })
    expect(summariseBatch([report('withheld'), report('retry')], AT)?.outcome).toBe('retry')
    expect(summariseBatch([report('delivered'), report('withheld')], AT)?.outcome).toBe('withheld')
  })

  it('gives a delivered batch no detail, and an empty batch no summary', () => {
    expect(summariseBatch([report('delivered')], AT)).toEqual({ at: AT.toISOString(), outcome: 'delivered' })
    expect(summariseBatch([], AT)).toBeNull()
  })

  it('keeps the detail to one short line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (reason) => {
        const detail = summariseBatch([report('retry', reason)], AT)?.detail ?? ''
        expect(detail.length).toBeLessThanOrEqual(MAX_LAST_DELIVERY_DETAIL_CHARS)
        expect(detail).not.toMatch(/\n/)
      }),
    )
  })
})

function memoryStore(failing = { now: false }) {
  const writes: LastDelivery[] = []
  const store: LastDeliveryStore = {
    async record(_vendor, last) {
      if (failing.now) throw new Error('table unreachable')
      writes.push(last)
    },
    async read() {
      return writes.at(-1) ?? null
    },
  }
  return { store, writes }
}

describe('lastDeliveryRecorder', () => {
  const at = (outcome: LastDelivery['outcome']): LastDelivery => ({ at: AT.toISOString(), outcome })

  it('writes the same outcome at most once per interval, and a changed one at once', async () => {
    const clock = { ms: 0 }
    const { store, writes } = memoryStore()
    const recorder = lastDeliveryRecorder('ga4', store, { now: () => clock.ms, onError: () => {} })

    await recorder.record(at('delivered'))
    clock.ms = LAST_DELIVERY_WRITE_INTERVAL_MS - 1
    await recorder.record(at('delivered'))
    await recorder.record(at('retry'))
    clock.ms += LAST_DELIVERY_WRITE_INTERVAL_MS
    await recorder.record(at('retry'))

    expect(writes.map((write) => write.outcome)).toEqual(['delivered', 'retry', 'retry'])
  })

  it('reports a failed write without rejecting, and writes again with the next batch', async () => {
    const failing = { now: true }
    const { store, writes } = memoryStore(failing)
    const errors: unknown[] = []
    const recorder = lastDeliveryRecorder('ga4', store, { now: () => 0, onError: (e) => errors.push(e) })

    await expect(recorder.record(at('delivered'))).resolves.toBeUndefined()
    failing.now = false
    await recorder.record(at('delivered'))

    expect(errors).toHaveLength(1)
    expect(writes).toHaveLength(1)
  })
})

describe('parseLastDelivery', () => {
  it('reads a stored item and takes anything malformed for no outcome', () => {
    expect(
      parseLastDelivery({ pk: 'vendor-status', sk: 'ga4', at: AT.toISOString(), outcome: 'retry' }),
    ).toEqual({
      at: AT.toISOString(),
      outcome: 'retry',
    })
    expect(parseLastDelivery({ at: 'yesterday', outcome: 'retry' })).toBeNull()
    expect(parseLastDelivery({ at: AT.toISOString(), outcome: 'exploded' })).toBeNull()
    fc.assert(
      fc.property(fc.anything(), (item) => {
        const parsed = parseLastDelivery(item)
        if (parsed !== null)
          expect(['delivered', 'withheld', 'retry', 'dead-lettered', 'failed']).toContain(parsed.outcome)
      }),
    )
  })
})
