import { describe, expect, it } from 'vitest'
import { fieldPath, type IncomingEvent, validateEvent } from '#shared/events/schema.ts'

const valid = (raw: object): IncomingEvent => {
  const result = validateEvent(raw)
  if (!result.ok)
    throw new Error(`expected a valid event, got ${result.message} at ${fieldPath(result.path)}`)
  return result.event
}

const failure = (raw: object) => {
  const result = validateEvent(raw)
  if (result.ok) throw new Error('expected an invalid event')
  return { field: fieldPath(result.path), message: result.message }
}

const page = (overrides: object = {}) => ({ type: 'page', anonymousId: 'visitor-1', ...overrides })

describe('validateEvent identity', () => {
  it('accepts a userId without an anonymousId', () => {
    expect(valid({ type: 'identify', userId: 'user-1' }).userId).toBe('user-1')
  })

  it('turns numeric ids into strings', () => {
    const event = valid({ type: 'identify', userId: 42, anonymousId: 7 })

    expect(event).toMatchObject({ userId: '42', anonymousId: '7' })
  })

  it('treats null and empty ids as absent', () => {
    expect(failure({ type: 'page', anonymousId: '', userId: null })).toMatchObject({ field: 'anonymousId' })
  })

  it('accepts an id of 256 characters and rejects 257', () => {
    expect(valid(page({ anonymousId: 'a'.repeat(256) })).anonymousId).toHaveLength(256)
    expect(failure(page({ anonymousId: 'a'.repeat(257) })).field).toBe('anonymousId')
    expect(failure(page({ userId: 'u'.repeat(257) })).field).toBe('userId')
  })

  it('rejects an id that is neither string nor number', () => {
    expect(failure(page({ anonymousId: { id: 1 } })).field).toBe('anonymousId')
  })
})

describe('validateEvent messageId', () => {
  it('keeps a client messageId verbatim', () => {
    expect(valid(page({ messageId: ' ajs-next-1 ' })).messageId).toBe(' ajs-next-1 ')
  })

  it('generates a UUID when the client sent none', () => {
    expect(valid(page()).messageId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
  })

  it('generates a different id for each event', () => {
    expect(valid(page()).messageId).not.toBe(valid(page()).messageId)
  })

  it('accepts 100 characters and rejects 101', () => {
    expect(valid(page({ messageId: 'm'.repeat(100) })).messageId).toHaveLength(100)
    expect(failure(page({ messageId: 'm'.repeat(101) })).field).toBe('messageId')
  })
})

describe('validateEvent types', () => {
  it.each(['screen', 'group', 'alias', 'Track', 42])(
    'rejects type %s naming type and listing accepted types',
    (type) => {
      const { field, message } = failure(page({ type }))

      expect(field).toBe('type')
      expect(message).toBe('unsupported event type: accepted types are page, track, identify')
    },
  )

  it('requires a non-empty track event name, trimmed', () => {
    expect(failure({ type: 'track', anonymousId: 'v' }).field).toBe('event')
    expect(failure({ type: 'track', anonymousId: 'v', event: '   ' }).field).toBe('event')
    expect(valid({ type: 'track', anonymousId: 'v', event: ' Signed Up ' }).event).toBe('Signed Up')
  })

  it('keeps the page name for page events only', () => {
    expect(valid(page({ name: 'Home' })).name).toBe('Home')
    expect(valid({ type: 'track', anonymousId: 'v', event: 'E', name: 'ignored' }).name).toBeUndefined()
  })
})

describe('validateEvent timestamps', () => {
  it('takes timestamp, else originalTimestamp, normalised to UTC', () => {
    expect(valid(page({ timestamp: '2024-05-02T12:00:00+02:00' })).timestamp).toBe('2024-05-02T10:00:00.000Z')
    expect(valid(page({ originalTimestamp: '2024-05-02T10:00:00.5Z' })).timestamp).toBe(
      '2024-05-02T10:00:00.500Z',
    )
    expect(
      valid(page({ timestamp: '2024-05-02T10:00:00Z', originalTimestamp: '2024-05-01T10:00:00Z' })).timestamp,
    ).toBe('2024-05-02T10:00:00.000Z')
  })

  it.each([
    '2024-05-02',
    '02.05.2024 10:00',
    '2024-02-30T10:00:00Z',
    '2024-05-02T25:00:00Z',
    'now',
    '1714644930',
  ])('rejects %s as a timestamp', (timestamp) => {
    expect(failure(page({ timestamp })).field).toBe('timestamp')
  })

  it('validates originalTimestamp and sentAt too', () => {
    expect(failure(page({ originalTimestamp: 'soon' })).field).toBe('originalTimestamp')
    expect(failure(page({ sentAt: 1714644930 })).field).toBe('sentAt')
  })
})

describe('validateEvent page facts', () => {
  it('reads url, title, referrer and path from properties on page events', () => {
    const event = valid(
      page({ properties: { url: 'https://a.example/x', title: 'X', referrer: 'r', path: '/x' } }),
    )

    expect(event.context.page).toEqual({ url: 'https://a.example/x', title: 'X', referrer: 'r', path: '/x' })
  })

  it('prefers context.page over properties', () => {
    const event = valid(
      page({
        properties: { url: 'https://props.example/', title: 'props', referrer: 'props' },
        context: { page: { url: 'https://context.example/', title: 'context', referrer: 'context' } },
      }),
    )

    expect(event.context.page).toMatchObject({
      url: 'https://context.example/',
      title: 'context',
      referrer: 'context',
    })
  })

  it('ignores page-like properties that are not strings', () => {
    expect(valid(page({ properties: { url: 5, title: { t: 1 } } })).context.page).toBeUndefined()
  })

  it('does not read page facts from track properties', () => {
    const event = valid({
      type: 'track',
      anonymousId: 'v',
      event: 'Clicked',
      properties: { url: 'https://x/' },
    })

    expect(event.context.page).toBeUndefined()
  })

  it('rejects a context.page that is not an object', () => {
    expect(failure(page({ context: { page: 'https://x/' } })).field).toBe('context.page')
  })
})

describe('validateEvent context', () => {
  it('keeps userAgent, locale and a string sessionId, and ignores everything else', () => {
    const event = valid(
      page({
        context: { userAgent: 'UA', locale: 'de-DE', sessionId: 's-1', ip: '203.0.113.9', traits: {} },
      }),
    )

    expect(event.context).toEqual({
      page: undefined,
      userAgent: 'UA',
      locale: 'de-DE',
      sessionId: 's-1',
      consent: undefined,
    })
  })

  it('reads consent carried in the event', () => {
    const event = valid(page({ context: { consent: { categoryPreferences: { analytics: false } } } }))

    expect(event.context.consent).toEqual({ analytics: false })
  })

  it('rejects a locale longer than 35 characters', () => {
    expect(failure(page({ context: { locale: 'x'.repeat(36) } })).field).toBe('context.locale')
  })

  it('defaults properties and traits to empty objects', () => {
    expect(valid(page({ properties: null }))).toMatchObject({ properties: {}, traits: {} })
  })

  it('rejects traits that are not an object', () => {
    expect(failure({ type: 'identify', userId: 'u', traits: 'pro' }).field).toBe('traits')
  })
})

describe('fieldPath', () => {
  it('joins keys with dots and indexes with brackets after a prefix', () => {
    expect(fieldPath(['context', 'page', 'url'], 'batch[2]')).toBe('batch[2].context.page.url')
    expect(fieldPath(['batch', 3])).toBe('batch[3]')
    expect(fieldPath([], 'body')).toBe('body')
  })
})
