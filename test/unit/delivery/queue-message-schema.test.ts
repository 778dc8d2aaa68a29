import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ErasureMessage } from '#shared/delivery/message.ts'
import { parseQueueMessage } from '#shared/delivery/message-schema.ts'
import { NOW } from '../vendors/fixtures.ts'
import { queuedMessage } from './fixtures.ts'

const erasure: ErasureMessage = {
  kind: 'erase',
  vendor: 'hubspot',
  messageId: 'erase-1',
  erasureId: 'erasure-1',
  siteId: 'shop',
  consentKey: 'consent-key-a',
  subject: { sealedEmail: 'v1.c2VhbGVk' },
  enqueuedAt: NOW.toISOString(),
}

describe('parseQueueMessage', () => {
  it('reads an event (a body without kind) and an erasure request back as they were queued', () => {
    const event = queuedMessage()
    expect(parseQueueMessage(JSON.stringify(event))).toEqual({ ok: true, message: event })
    expect(parseQueueMessage(JSON.stringify(erasure))).toEqual({ ok: true, message: erasure })
  })

  it('names the bad field of an erasure request, and refuses an unknown kind', () => {
    expect(parseQueueMessage(JSON.stringify({ ...erasure, erasureId: '' }))).toEqual({
      ok: false,
      reason: 'queue body is not an erasure request (bad erasureId)',
    })
    expect(parseQueueMessage(JSON.stringify({ ...queuedMessage(), kind: 'event' })).ok).toBe(false)
  })

  it('answers every body, JSON or not, without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        (body) => {
          const parsed = parseQueueMessage(body)
          expect(typeof parsed.ok).toBe('boolean')
        },
      ),
    )
  })
})
