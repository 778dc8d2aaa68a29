import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formEncodingOf,
  MAX_FORM_BODY_BYTES,
  MAX_FORM_ENTRIES,
  parseFormBody,
} from '#shared/ingest/form-body.ts'

const body = (text: string) => ({ body: text, isBase64Encoded: false })

describe('form bodies', () => {
  it('reads a plain HTML form post, repeated checkboxes included', () => {
    const entries = parseFormBody(
      body('email=a%40b.example&subscriptions=1&subscriptions=2&msg=hi+there'),
      'urlencoded',
    )
    expect([...entries]).toEqual([
      ['email', ['a@b.example']],
      ['subscriptions', ['1', '2']],
      ['msg', ['hi there']],
    ])
  })

  it('reads a JSON object of text, numbers, booleans and lists', () => {
    const entries = parseFormBody(
      body(
        JSON.stringify({ email: 'a@b.example', consentToProcess: true, subscriptions: [1, 2], off: false }),
      ),
      'json',
    )
    expect(entries.get('consentToProcess')).toEqual(['true'])
    expect(entries.get('off')).toEqual([''])
    expect(entries.get('subscriptions')).toEqual(['1', '2'])
  })

  it('refuses a nested JSON value naming its field', () => {
    expect(() => parseFormBody(body(JSON.stringify({ email: { nested: 1 } })), 'json')).toThrow(
      expect.objectContaining({ statusCode: 400, field: 'email' }),
    )
  })

  it('refuses more entries than MAX_FORM_ENTRIES and bodies over MAX_FORM_BODY_BYTES', () => {
    const many = Array.from({ length: MAX_FORM_ENTRIES + 1 }, (_, i) => `f${i}=x`).join('&')
    expect(() => parseFormBody(body(many), 'urlencoded')).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    )
    expect(() => parseFormBody(body(`a=${'x'.repeat(MAX_FORM_BODY_BYTES)}`), 'urlencoded')).toThrow(
      expect.objectContaining({ statusCode: 413 }),
    )
  })

  it('takes urlencoded and JSON content types only (415 for multipart)', () => {
    expect(formEncodingOf('application/x-www-form-urlencoded; charset=UTF-8')).toBe('urlencoded')
    expect(formEncodingOf('Application/JSON')).toBe('json')
    expect(() => formEncodingOf('multipart/form-data; boundary=x')).toThrow(
      expect.objectContaining({ statusCode: 415 }),
    )
    expect(() => formEncodingOf(undefined)).toThrow(expect.objectContaining({ statusCode: 415 }))
  })

  it('gives back exactly the pairs a browser encoded (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.string()), { minLength: 1, maxLength: MAX_FORM_ENTRIES }),
        (pairs) => {
          const entries = parseFormBody(body(new URLSearchParams(pairs).toString()), 'urlencoded')
          const read = [...entries].flatMap(([name, values]) => values.map((value) => [name, value]))
          expect(read.sort()).toEqual([...pairs].sort())
        },
      ),
      { numRuns: 200 },
    )
  })
})
