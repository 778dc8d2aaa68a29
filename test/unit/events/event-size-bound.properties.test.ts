import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_EVENT_BYTES } from '#shared/events/limits.ts'
import { NUMBER_GROWTH_CHARS, parseIngestBody, scanText, serialisedBytesBound } from '#shared/events/parse.ts'
import { PayloadTooLargeError } from '#shared/http/errors.ts'

/** Numbers as a client may write them: short sources that re-serialise long, among plain ones. */
const numberSource = fc.oneof(
  fc.constantFrom('1e20', '9E20', '-1e-7', '1.5e-6', '5e-324', '-0', '0', '1e308', '-1.2345678901234567e-6'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer().map(String),
)
/** Strings with escapes, non-ASCII and astral characters, written plainly or fully escaped. */
const stringSource = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 6 }), fc.boolean())
  .map(([text, escapeAll]) =>
    escapeAll
      ? `"${[...text].map((char) => [...char].map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')).join('')}"`
      : JSON.stringify(text),
  )
const { value: jsonSource } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberSource,
    stringSource,
    fc.constantFrom('true', 'false', 'null'),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[ ${items.join(' , ')} ]`),
  object: fc
    .array(fc.tuple(stringSource, tie('value')), { maxLength: 4 })
    .map((entries) => `{${entries.map(([key, value]) => `${key}:${value}`).join(',')}}`),
}))

function everyValue(value: unknown, visit: (value: unknown) => void): void {
  visit(value)
  if (typeof value === 'object' && value !== null)
    for (const inner of Object.values(value)) everyValue(inner, visit)
}

describe('the per-event size bound', () => {
  it('covers the longest any double re-serialises', () => {
    fc.assert(
      fc.property(fc.double(), (number) => {
        expect(JSON.stringify(number).length).toBeLessThanOrEqual(1 + NUMBER_GROWTH_CHARS)
      }),
      { numRuns: 5000 },
    )
  })

  it('is never below the UTF-8 size of any value parsed from the text', () => {
    fc.assert(
      fc.property(jsonSource, (json) => {
        const bound = serialisedBytesBound(json, scanText(json, Number.POSITIVE_INFINITY).numbers)
        everyValue(JSON.parse(json), (value) => {
          expect(Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8')).toBeLessThanOrEqual(bound)
        })
      }),
      { numRuns: 2000 },
    )
  })

  it('gives no bound for a body with a lone surrogate, which re-serialises as a longer escape', () => {
    expect(serialisedBytesBound('{"a":"\uD800"}', 0)).toBe(Number.POSITIVE_INFINITY)
  })

  it('still refuses an event that is small as sent but over the limit once re-serialised', () => {
    const numbers = Array.from({ length: 1600 }, () => '1e20').join(',')
    const event = `{"type":"track","event":"Big","anonymousId":"v","properties":{"n":[${numbers}]}}`
    const body = `{"batch":[${event}]}`
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_EVENT_BYTES)

    expect(() => parseIngestBody({ route: 'batch', body, authorizationWriteKey: 'key' })).toThrow(
      PayloadTooLargeError,
    )
  })
})
