import { describe, expect, it } from 'vitest'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import {
  IDEMPOTENCY_TTL_SECONDS,
  type IdempotencyStore,
  REFUSED_REASON,
  RESEND_REASON,
  screenResends,
} from '#shared/ingest/idempotency.ts'
import { queuedMessage } from '../delivery/fixtures.ts'

const NOW = new Date('2026-03-01T12:00:00.000Z')

/** Marks in a map, keeping the first writer like the conditional put does; remembers each write. */
function markedStore(marks: Record<string, string> = {}) {
  const writes: Array<{ messageId: string; consentKey: string; expiresAt: number }> = []
  const store: IdempotencyStore & { writes: typeof writes } = {
    writes,
    async queuedBy(_siteId, messageIds) {
      return new Map(messageIds.flatMap((id) => (marks[id] ? [[id, marks[id]] as const] : [])))
    },
    async markQueued(_siteId, entries, expiresAt) {
      for (const entry of entries) {
        writes.push({ ...entry, expiresAt })
        marks[entry.messageId] ??= entry.consentKey
      }
    },
  }
  return store
}

const event = (messageId: string, visitor: string) => ({ messageId, visitor })

describe('screenResends', () => {
  it('passes new messageIds through and marks them only when told they were queued', async () => {
    const store = markedStore()
    const screened = await screenResends('shop', [event('m1', 'key-a')], (e) => e.visitor, {
      idempotency: store,
      now: () => NOW,
    })

    expect(screened.fresh.map((e) => e.messageId)).toEqual(['m1'])
    expect(store.writes).toEqual([])
    await screened.markQueued([queuedMessage({ messageId: 'm1', consentKey: 'key-a' })])
    expect(store.writes).toEqual([
      { messageId: 'm1', consentKey: 'key-a', expiresAt: NOW.getTime() / 1000 + IDEMPOTENCY_TTL_SECONDS },
    ])
  })

  it("drops the same visitor's resend and refuses another visitor's use of the messageId, with reasons", async () => {
    const decisions: DecisionRecord[] = []
    const screened = await screenResends(
      'shop',
      [event('m1', 'key-a'), event('m1', 'key-b'), event('m2', 'key-b')],
      (e) => e.visitor,
      { idempotency: markedStore({ m1: 'key-a' }), now: () => NOW, onDecision: (d) => decisions.push(d) },
    )

    expect(screened.fresh.map((e) => e.messageId)).toEqual(['m2'])
    expect(screened.refused).toBe(1)
    expect(decisions).toEqual([
      { messageId: 'm1', vendor: null, allow: false, reason: RESEND_REASON },
      { messageId: 'm1', vendor: null, allow: false, reason: REFUSED_REASON },
    ])
  })

  it('screens a repeat inside one request like a resend of its first copy', async () => {
    const screened = await screenResends(
      'shop',
      [event('m1', 'key-a'), event('m1', 'key-a'), event('m1', 'key-b')],
      (e) => e.visitor,
      { idempotency: markedStore(), now: () => NOW },
    )

    expect(screened.fresh).toEqual([event('m1', 'key-a')])
    expect(screened.refused).toBe(1)
  })

  it('marks each queued messageId once, however many vendors it was queued for', async () => {
    const store = markedStore()
    const screened = await screenResends('shop', [event('m1', 'key-a')], (e) => e.visitor, {
      idempotency: store,
      now: () => NOW,
    })

    await screened.markQueued([
      queuedMessage({ messageId: 'm1', consentKey: 'key-a' }),
      queuedMessage({ messageId: 'm1', consentKey: 'key-a' }),
    ])

    expect(store.writes).toHaveLength(1)
  })
})
