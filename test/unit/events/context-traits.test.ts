import { describe, expect, it } from 'vitest'
import { validateEvent, validateEventWithSchema } from '#shared/events/schema.ts'

const track = (context: unknown, traits?: unknown) => ({
  type: 'track',
  event: 'Signed Up',
  anonymousId: 'visitor-1',
  context,
  ...(traits === undefined ? {} : { traits }),
})

describe('traits a client sends in context (Segment repeats identify traits there)', () => {
  it.each([
    ['the fast path', validateEvent],
    ['the schema', validateEventWithSchema],
  ])('reach the event’s traits through %s, identify’s own traits winning', (_path, validate) => {
    const result = validate(
      track({ traits: { email: 'jane@example.org', phone: '+49 30 5550172' } }, { email: 'own@example.org' }),
    )
    if (!result.ok) throw new Error(result.message)
    expect(result.event.traits).toEqual({ email: 'own@example.org', phone: '+49 30 5550172' })
  })

  it.each([
    ['the fast path', validateEvent],
    ['the schema', validateEventWithSchema],
  ])('are ignored, not refused, when they are not an object (%s)', (_path, validate) => {
    const result = validate(track({ traits: 'jane@example.org' }))
    expect(result.ok && result.event.traits).toEqual({})
  })
})
