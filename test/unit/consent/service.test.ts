import { describe, expect, it } from 'vitest'
import type { ConsentRecord } from '#shared/consent/model.ts'
import { type ConsentDeps, readConsent, recordConsent, revokeConsent } from '#shared/consent/service.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'

const PSEUDONYM_KEY = 'unit-test-pseudonym-key'
const NOW = new Date('2024-05-06T12:00:00.000Z')

/** Keeps what it is given, so a test can see exactly what the service handed to the store. */
function recordingStore(): ConsentStore & { written: ConsentRecord[] } {
  const written: ConsentRecord[] = []
  const forKey = (key: string) => written.filter((record) => record.consentKey === key)
  return {
    written,
    async record(record) {
      written.push(record)
    },
    async current(key) {
      return forKey(key).at(-1) ?? null
    },
    async history(key) {
      return forKey(key)
    },
  }
}

function depsWith(store: ConsentStore, overrides: Partial<ConsentDeps> = {}): ConsentDeps {
  let receipts = 0
  return {
    store,
    pseudonymKey: PSEUDONYM_KEY,
    policyVersion: '2024-05',
    retentionDays: 10,
    now: () => NOW,
    newReceiptId: () => `receipt-${++receipts}`,
    ...overrides,
  }
}

describe('recordConsent', () => {
  it('stores a purpose left out as refused (default deny)', async () => {
    const store = recordingStore()

    const receipt = await recordConsent('shop', 'visitor-1', { analytics: true }, depsWith(store))

    expect(receipt.purposes).toEqual({ analytics: true, marketing: false })
    expect(store.written[0]?.purposes).toEqual({ analytics: true, marketing: false })
  })

  it('hands the store the keyed consent key, never the visitor id', async () => {
    const store = recordingStore()

    await recordConsent('shop', 'visitor-1', {}, depsWith(store))

    expect(store.written[0]?.consentKey).toBe(consentKey(PSEUDONYM_KEY, 'shop', 'visitor-1'))
    expect(JSON.stringify(store.written)).not.toContain('visitor-1')
  })

  it('sets the expiry retentionDays after now, in epoch seconds for the TTL', async () => {
    const store = recordingStore()

    const receipt = await recordConsent('shop', 'visitor-1', {}, depsWith(store))

    expect(store.written[0]?.expiresAt).toBe(Date.parse('2024-05-16T12:00:00.000Z') / 1000)
    expect(receipt.expiresAt).toBe('2024-05-16T12:00:00.000Z')
  })

  it('answers with a receipt carrying the policy version, time and receipt id', async () => {
    const receipt = await recordConsent('shop', 'visitor-1', { marketing: true }, depsWith(recordingStore()))

    expect(receipt).toEqual({
      receiptId: 'receipt-1',
      anonymousId: 'visitor-1',
      purposes: { analytics: false, marketing: true },
      policyVersion: '2024-05',
      recordedAt: '2024-05-06T12:00:00.000Z',
      expiresAt: '2024-05-16T12:00:00.000Z',
    })
  })
})

describe('revokeConsent', () => {
  it('records every purpose as refused, keeping the earlier decision in the history', async () => {
    const store = recordingStore()
    const deps = depsWith(store)
    await recordConsent('shop', 'visitor-1', { analytics: true, marketing: true }, deps)

    const receipt = await revokeConsent('shop', 'visitor-1', deps)

    expect(receipt.purposes).toEqual({ analytics: false, marketing: false })
    expect(store.written.map((record) => record.purposes)).toEqual([
      { analytics: true, marketing: true },
      { analytics: false, marketing: false },
    ])
  })
})

describe('readConsent', () => {
  it('answers null for a visitor with no decision', async () => {
    expect(await readConsent('shop', 'visitor-1', depsWith(recordingStore()))).toBeNull()
  })

  it('keeps sites apart for the same visitor id', async () => {
    const deps = depsWith(recordingStore())
    await recordConsent('shop', 'visitor-1', { analytics: true }, deps)

    expect(await readConsent('blog', 'visitor-1', deps)).toBeNull()
  })

  it('flags a decision under an older policy version as needing renewal', async () => {
    const store = recordingStore()
    await recordConsent(
      'shop',
      'visitor-1',
      { analytics: true },
      depsWith(store, { policyVersion: '2018-05' }),
    )

    const state = await readConsent('shop', 'visitor-1', depsWith(store))

    expect(state).toMatchObject({ policyVersion: '2018-05', needsRenewal: true })
    expect(state?.history).toEqual([
      {
        receiptId: 'receipt-1',
        purposes: { analytics: true, marketing: false },
        policyVersion: '2018-05',
        recordedAt: '2024-05-06T12:00:00.000Z',
        expiresAt: '2024-05-16T12:00:00.000Z',
      },
    ])
  })
})
