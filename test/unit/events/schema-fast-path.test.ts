import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fastBatchEnvelope, fastRawEvent } from '#shared/events/fast-event.ts'
import {
  type EnvelopeValidation,
  type EventValidation,
  validateBatchEnvelope,
  validateBatchEnvelopeWithSchema,
  validateEvent,
  validateEventWithSchema,
} from '#shared/events/schema.ts'

/** Values around each field's rules: valid ones, and the invalid ones next to them. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), {
    maxKeys: 3,
    noNullPrototype: true,
  }),
)
/** Strings near a length limit; one in twenty is over it. */
const sized = (max: number) =>
  fc.oneof(
    { weight: 16, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', `  padded  `) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(max)) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(max + 1)) },
    { weight: 1, arbitrary: fc.constant(` ${'y'.repeat(max - 1)} `) },
  )
/** Mostly a value of the field's own kind, sometimes absent or null, rarely anything at all. */
const field = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 30, arbitrary: valid },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: anyValue },
  )
const id = (max: number) =>
  field(
    fc.oneof(
      { weight: 6, arbitrary: sized(max) },
      { weight: 1, arbitrary: fc.integer() },
      { weight: 1, arbitrary: fc.oneof(fc.double(), fc.constant(1e300)) },
    ),
  )
const timestamp = field(
  fc.oneof(
    fc.date({ min: new Date(-1e13), max: new Date(4e12) }).map((date) => {
      try {
        return date.toISOString()
      } catch {
        return 'not a date'
      }
    }),
    fc.constantFrom(
      '2026-03-01T10:00:00+01:00',
      '2026-02-29T10:00:00Z',
      '2024-02-29T10:00:00.123456Z',
      '2026-03-01T10:00Z',
      '2026-03-01 10:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T10:00:00+24:00',
      '2026-03-01',
      '+002026-03-01T10:00:00Z',
      // The canonical shape (what toISOString writes) with a value out of range.
      '2026-02-29T10:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '1900-02-29T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '2026-04-31T10:00:00.000Z',
      '2026-13-01T10:00:00.000Z',
      '2026-00-01T10:00:00.000Z',
      '2026-03-00T10:00:00.000Z',
      '2026-03-01T24:00:00.000Z',
      '2026-03-01T10:60:00.000Z',
      '2026-03-01T10:00:60.000Z',
      '0000-01-01T00:00:00.000Z',
    ),
  ),
)
const record = field(
  fc.oneof(
    {
      weight: 10,
      arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), anyValue, { maxKeys: 4, noNullPrototype: true }),
    },
    fc.record(
      {
        url: field(sized(8 * 1024)),
        title: field(sized(8 * 1024)),
        path: field(fc.string()),
        consent: field(fc.boolean()),
      },
      { noNullPrototype: true },
    ),
    { weight: 1, arbitrary: fc.constant(Object.create(null)) },
    { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')) },
  ),
)
const consent = field(
  fc.oneof(
    fc.record({ analytics: field(fc.boolean()), Marketing: field(fc.boolean()) }, { noNullPrototype: true }),
    fc.record(
      {
        categoryPreferences: field(
          fc.dictionary(fc.constantFrom('ads', 'Statistics', 'x'), anyValue, { noNullPrototype: true }),
        ),
      },
      { noNullPrototype: true },
    ),
  ),
)
const page = field(
  fc.record(
    {
      url: field(sized(8 * 1024)),
      path: field(fc.string()),
      title: field(sized(8 * 1024)),
      referrer: field(fc.string()),
      search: field(fc.string()),
      extra: anyValue,
    },
    { requiredKeys: [], noNullPrototype: true },
  ),
)
const context = field(
  fc.record(
    {
      page,
      userAgent: field(sized(1024)),
      locale: field(sized(35)),
      sessionId: id(256),
      consent,
      library: field(fc.record({ name: fc.string() }, { noNullPrototype: true })),
    },
    { requiredKeys: [], noNullPrototype: true },
  ),
)
const event = fc.record(
  {
    type: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('page', 'track', 'identify') },
      { weight: 1, arbitrary: anyValue },
    ),
    messageId: field(sized(100)),
    anonymousId: id(256),
    userId: id(256),
    event: field(sized(256)),
    name: field(sized(256)),
    properties: record,
    traits: record,
    context,
    timestamp,
    originalTimestamp: timestamp,
    sentAt: timestamp,
    writeKey: field(sized(256)),
    integrations: anyValue,
  },
  { requiredKeys: ['type', 'anonymousId'], noNullPrototype: true },
)

/** The messageId is random when the client sent none: compare everything else then. */
function comparable(result: EventValidation): unknown {
  if (!result.ok) return result
  const generated = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  return generated.test(result.event.messageId)
    ? { ...result, event: { ...result.event, messageId: 'generated' } }
    : result
}

describe('event validation fast path', () => {
  it('gives exactly the answer of the zod schema, for valid and invalid events alike', () => {
    fc.assert(
      fc.property(event, (raw) => {
        expect(comparable(validateEvent(raw))).toStrictEqual(comparable(validateEventWithSchema(raw)))
      }),
      { numRuns: 3000 },
    )
  })

  it('takes the events analytics.js and RudderStack send, so the fast path is the one in use', () => {
    const analyticsJs = {
      type: 'page',
      anonymousId: 'a1',
      messageId: 'ajs-next-1',
      timestamp: '2026-03-01T10:00:00.000Z',
      properties: { url: 'https://shop.example/', title: 'Shop' },
      context: { page: { url: 'https://shop.example/' }, userAgent: 'Mozilla/5.0', locale: 'de-DE' },
      integrations: {},
    }
    const rudderstack = {
      type: 'track',
      event: 'Order Completed',
      anonymousId: 'r1',
      userId: '',
      originalTimestamp: '2026-03-01T10:00:00.000+01:00',
      context: { sessionId: 1_772_000_000_000, consent: { analytics: true } },
    }

    expect(fastRawEvent(analyticsJs)).toBeDefined()
    expect(fastRawEvent(rudderstack)).toBeDefined()
    expect(
      fastBatchEnvelope({ batch: [analyticsJs, rudderstack], sentAt: '2026-03-01T10:00:01Z' }),
    ).toBeDefined()
  })
})

/** The envelope's values as parse.ts reads them (an absent key and an undefined one read alike). */
function fields(result: EnvelopeValidation): unknown {
  if (!result.ok) return result
  const { batch, sentAt, writeKey, context } = result.envelope
  return { batch, sentAt, writeKey, context }
}

describe('batch envelope fast path', () => {
  const envelope = fc.record(
    {
      batch: fc.oneof(
        { weight: 4, arbitrary: fc.array(anyValue, { maxLength: 3 }) },
        { weight: 1, arbitrary: anyValue },
      ),
      sentAt: timestamp,
      writeKey: id(256),
      context: record,
    },
    { requiredKeys: [], noNullPrototype: true },
  )

  it('gives exactly the answer of the zod schema', () => {
    fc.assert(
      fc.property(envelope, (body) => {
        expect(fields(validateBatchEnvelope(body))).toStrictEqual(
          fields(validateBatchEnvelopeWithSchema(body)),
        )
      }),
      { numRuns: 1000 },
    )
  })

  it('leaves a batch over the event limit to the schema, which names it', () => {
    const body = { batch: Array.from({ length: 2501 }, () => ({})) }

    expect(validateBatchEnvelope(body)).toMatchObject({ ok: false, path: ['batch'] })
  })
})
