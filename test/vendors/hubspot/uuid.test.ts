import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventUuid } from '#shared/vendors/hubspot/uuid.ts'
import { collectedEvent, mapped } from './fixtures.ts'

const V5_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('HubSpot event uuid', () => {
  it('is the same for every retry of a message, so HubSpot keeps one occurrence', () => {
    const first = mapped(collectedEvent({ messageId: 'abc', timestamp: '2026-06-02T11:00:00.000Z' }))
    const again = mapped(collectedEvent({ messageId: 'abc', timestamp: '2026-06-02T11:30:00.000Z' }))
    expect(again.uuid).toBe(first.uuid)
  })

  it('is pinned: a changed derivation would double-count events retried across a deploy', () => {
    expect(eventUuid('msg-1')).toBe(eventUuid('msg-1'))
    expect(eventUuid('msg-1')).toMatchInlineSnapshot(`"256fd0c8-d992-54f2-9a71-c9ae821d50c2"`)
  })

  it('has the version-5 and RFC variant bits, and differs between messages (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(eventUuid(a)).toMatch(V5_SHAPE)
        if (a !== b) expect(eventUuid(a)).not.toBe(eventUuid(b))
      }),
    )
  })
})
