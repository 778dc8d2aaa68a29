import { describe, expect, it } from 'vitest'
import { parseVendorMessage } from '#shared/delivery/message-schema.ts'
import { queuedMessage } from './fixtures.ts'

describe('parseVendorMessage', () => {
  it('reads back a message the collector queued', () => {
    const message = queuedMessage()

    expect(parseVendorMessage(JSON.stringify(message))).toEqual({ ok: true, message })
  })

  it('keeps narrowing consent carried by the event', () => {
    const message = queuedMessage({
      recheck: { eventType: 'page', eventConsent: { analytics: false }, gpc: true },
    })

    const parsed = parseVendorMessage(JSON.stringify(message))

    expect(parsed.ok && parsed.message.recheck).toEqual({
      eventType: 'page',
      eventConsent: { analytics: false },
      gpc: true,
    })
  })

  it('says so when the body is not JSON', () => {
    expect(parseVendorMessage('nope')).toEqual({ ok: false, reason: 'queue body is not JSON' })
  })

  it.each([
    ['an unknown vendor', { vendor: 'tiktok' }, 'vendor'],
    ['an empty consent key', { consentKey: '' }, 'consentKey'],
    ['an unknown event type', { recheck: { eventType: 'alias', gpc: false } }, 'recheck.eventType'],
    ['a non-boolean gpc', { recheck: { eventType: 'track', gpc: 'yes' } }, 'recheck.gpc'],
    ['a malformed enqueue time', { enqueuedAt: 'yesterday' }, 'enqueuedAt'],
  ])('refuses %s and names the field', (_what, override, field) => {
    const parsed = parseVendorMessage(JSON.stringify({ ...queuedMessage(), ...override }))

    expect(parsed).toEqual({ ok: false, reason: expect.stringContaining(field) })
  })
})
