import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_MESSAGE_ID_LENGTH } from '#shared/events/limits.ts'
import { type IngestRoute, parseIngestBody } from '#shared/events/parse.ts'
import { ClientError } from '#shared/http/errors.ts'

const ROUTES: IngestRoute[] = ['batch', 'track', 'page', 'identify']
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype']
const EVENT_FIELDS = [
  'type',
  'messageId',
  'anonymousId',
  'userId',
  'event',
  'name',
  'properties',
  'traits',
  'context',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'writeKey',
]

/** Parses, and fails the property if anything but a 400 or 413 ClientError escapes. */
function parseLikeTheCollector(route: IngestRoute, body: string, isBase64Encoded = false): void {
  try {
    parseIngestBody({ route, body, isBase64Encoded, authorizationWriteKey: null })
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError)
    if (error instanceof ClientError) expect([400, 413]).toContain(error.statusCode)
  }
}

const route = fc.constantFrom(...ROUTES)
const jsonLeaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
)
/** Objects whose keys are event fields, so generated values reach deep into validation. */
const eventLike = fc.dictionary(fc.constantFrom(...EVENT_FIELDS, 'context', 'page'), fc.jsonValue(), {
  maxKeys: 8,
})
const contextLike = fc.record(
  {
    page: fc.oneof(
      fc.dictionary(fc.constantFrom('url', 'path', 'title', 'referrer', 'search'), jsonLeaf),
      jsonLeaf,
    ),
    consent: fc.jsonValue(),
    sessionId: jsonLeaf,
    locale: jsonLeaf,
    userAgent: jsonLeaf,
  },
  { requiredKeys: [] },
)
const plausibleEvent = fc.record(
  {
    type: fc.oneof(fc.constantFrom('page', 'track', 'identify', 'screen'), jsonLeaf),
    anonymousId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    event: fc.oneof(fc.string(), jsonLeaf),
    messageId: fc.oneof(fc.string(), jsonLeaf),
    timestamp: fc.oneof(
      fc.date().map((date) => (Number.isNaN(date.getTime()) ? 'x' : date.toISOString())),
      fc.string(),
    ),
    properties: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), jsonLeaf),
    context: fc.oneof(contextLike, jsonLeaf),
  },
  { requiredKeys: [] },
)

/** A JSON object text with `"__proto__"`-style keys inserted at the given nesting depth. */
function withUnsafeKeysAtDepth(depth: number, unsafeKey: string): string {
  const attack = `"${unsafeKey}":{"polluted":"yes","prototype":{"polluted":"yes"}}`
  let inner = `{${attack},"leaf":1}`
  for (let level = 0; level < depth; level++) inner = `{${attack},"nested":${inner}}`
  return inner
}

describe('parseIngestBody never fails with anything but a client error', () => {
  it('for any string body on any route', () => {
    fc.assert(
      fc.property(route, fc.string({ unit: 'binary', maxLength: 200 }), (r, body) =>
        parseLikeTheCollector(r, body),
      ),
    )
  })

  it('for any JSON value as the body', () => {
    fc.assert(
      fc.property(route, fc.jsonValue(), (r, value) => parseLikeTheCollector(r, JSON.stringify(value))),
    )
  })

  it('for any JSON value as a batch item or batch envelope field', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (item, sentAt, context) =>
        parseLikeTheCollector('batch', JSON.stringify({ batch: [item], sentAt, context, writeKey: sentAt })),
      ),
    )
  })

  it('for event-shaped objects with arbitrary field values', () => {
    fc.assert(
      fc.property(
        route,
        fc.array(fc.oneof(eventLike, plausibleEvent), { minLength: 1, maxLength: 5 }),
        (r, events) => {
          const body = r === 'batch' ? { batch: events } : events[0]
          parseLikeTheCollector(r, JSON.stringify(body))
        },
      ),
    )
  })

  it('for arbitrary bytes sent base64-encoded', () => {
    fc.assert(
      fc.property(route, fc.uint8Array({ maxLength: 300 }), (r, bytes) =>
        parseLikeTheCollector(r, Buffer.from(bytes).toString('base64'), true),
      ),
    )
  })
})

describe('parseIngestBody prototype pollution', () => {
  it('stays harmless with __proto__, constructor or prototype keys at any depth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom(...UNSAFE_KEYS),
        fc.constantFrom('properties', 'traits', 'context', 'event', 'envelope'),
        (depth, unsafeKey, placement) => {
          const payload = withUnsafeKeysAtDepth(depth, unsafeKey)
          const event = `{"type":"track","event":"E","anonymousId":"v","${placement === 'event' ? unsafeKey : placement}":${payload}}`
          const body =
            placement === 'envelope'
              ? `{"${unsafeKey}":${payload},"batch":[${event}]}`
              : `{"batch":[${event}]}`

          const parsed = parseIngestBody({ route: 'batch', body, authorizationWriteKey: null })

          expect(({} as Record<string, unknown>).polluted).toBeUndefined()
          expect(Object.prototype).not.toHaveProperty('polluted')
          for (const parsedEvent of parsed.events) {
            expect(Object.getPrototypeOf(parsedEvent)).toBe(Object.prototype)
            expect(Object.getPrototypeOf(parsedEvent.properties)).toBe(Object.prototype)
            expect(Object.getPrototypeOf(parsedEvent.traits)).toBe(Object.prototype)
            expect(JSON.stringify(parsedEvent)).not.toMatch(/"(__proto__|constructor|prototype)"/)
          }
        },
      ),
    )
  })
})

describe('parseIngestBody identifiers', () => {
  it('keeps any client messageId verbatim', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: MAX_MESSAGE_ID_LENGTH }), (messageId) => {
        const body = JSON.stringify({ batch: [{ type: 'page', anonymousId: 'v', messageId }] })

        const [event] = parseIngestBody({ route: 'batch', body, authorizationWriteKey: null }).events

        expect(event?.messageId).toBe(messageId)
      }),
    )
  })

  it('keeps any anonymousId verbatim and any valid timestamp as the same instant', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 256 }),
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (anonymousId, date) => {
          const body = JSON.stringify({ anonymousId, timestamp: date.toISOString() })

          const [event] = parseIngestBody({ route: 'page', body, authorizationWriteKey: null }).events

          expect(event?.anonymousId).toBe(anonymousId)
          expect(event?.timestamp).toBe(date.toISOString())
        },
      ),
    )
  })
})
