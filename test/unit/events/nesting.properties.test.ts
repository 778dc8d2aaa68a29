import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH } from '#shared/events/limits.ts'
import { parseIngestBody } from '#shared/events/parse.ts'
import { ValidationError } from '#shared/http/errors.ts'

/** Brackets, quotes and backslashes inside strings must not count as nesting. */
const trickyText = fc.string({
  unit: fc.constantFrom('{', '[', '}', ']', '"', '\\', 'a', ' '),
  maxLength: 12,
})

/** `[text, [text, [ … ]]]` nested `levels` deep. */
function nestedArrays(levels: number, text: string): unknown {
  let value: unknown = text
  for (let level = 0; level < levels; level++) value = [text, value]
  return value
}

/** Levels around the property value: body, batch array, event, properties. */
const ENVELOPE_LEVELS = 4

describe('the JSON nesting limit', () => {
  it('counts only real objects and arrays, whatever the strings hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 70 }), trickyText, (levels, text) => {
        const body = JSON.stringify({
          batch: [
            {
              type: 'track',
              event: 'Nested',
              anonymousId: 'v',
              properties: { p: nestedArrays(levels, text) },
            },
          ],
        })
        const parse = () => parseIngestBody({ route: 'batch', body, authorizationWriteKey: 'key' })
        if (levels + ENVELOPE_LEVELS > MAX_JSON_DEPTH) {
          expect(parse).toThrow(ValidationError)
          expect(parse).toThrow(/nests deeper/)
        } else {
          expect(parse().events).toHaveLength(1)
        }
      }),
    )
  })
})
