import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  calendlySignature,
  MAX_SIGNATURE_HEADER_CHARS,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  verifyCalendlySignature,
} from '#shared/sources/calendly/signature.ts'

const KEY = 'test-signing-key'
const T = 1700000000
const BODY = Buffer.from('{"event":"invitee.created"}')
const VECTOR = '35702d53e0c18f340fa3907a32ab5229ce2e29bf7919419d2408eeaf31335b7c'
const at = (seconds: number) => new Date(seconds * 1000)

function verify(header: string | undefined, options: { body?: Buffer; now?: Date; window?: number } = {}) {
  return verifyCalendlySignature({
    header,
    rawBody: options.body ?? BODY,
    signingKey: KEY,
    now: options.now ?? at(T + 5),
    replayWindowSeconds: options.window,
  })
}

describe('Calendly signature (vendors.md §5.3, §5.4 rules 1–4)', () => {
  it("computes vendors.md's test vector", () => {
    expect(calendlySignature(KEY, String(T), BODY)).toBe(VECTOR)
  })

  it('accepts the test vector within the window', () => {
    expect(verify(`t=${T},v1=${VECTOR}`)).toEqual({ ok: true })
  })

  it('refuses a body with one byte changed', () => {
    const tampered = Buffer.from(BODY)
    tampered[3] = (tampered[3] ?? 0) ^ 1
    expect(verify(`t=${T},v1=${VECTOR}`, { body: tampered })).toMatchObject({
      ok: false,
      field: `${SIGNATURE_HEADER}.v1`,
    })
  })

  it('refuses a timestamp older than 180 s and accepts one at 180 s', () => {
    expect(verify(`t=${T},v1=${VECTOR}`, { now: at(T + 181) })).toMatchObject({
      ok: false,
      field: `${SIGNATURE_HEADER}.t`,
    })
    expect(verify(`t=${T},v1=${VECTOR}`, { now: at(T + 180) })).toEqual({ ok: true })
  })

  it('refuses a timestamp further in the future than the window', () => {
    expect(verify(`t=${T},v1=${VECTOR}`, { now: at(T - 181) })).toMatchObject({
      ok: false,
      field: `${SIGNATURE_HEADER}.t`,
    })
  })

  it('takes a configured window', () => {
    expect(verify(`t=${T},v1=${VECTOR}`, { now: at(T + 299), window: 300 })).toEqual({ ok: true })
    expect(verify(`t=${T},v1=${VECTOR}`, { now: at(T + 61), window: 60 })).toMatchObject({ ok: false })
  })

  it('refuses a missing header, naming it', () => {
    expect(verify(undefined)).toEqual({ ok: false, field: SIGNATURE_HEADER, reason: 'is missing' })
    expect(verify('')).toMatchObject({ ok: false, field: SIGNATURE_HEADER })
  })

  it.each([
    ['no t', `v1=${VECTOR}`, 't'],
    ['two t', `t=${T},t=${T},v1=${VECTOR}`, 't'],
    ['a t of nine digits', `t=170000000,v1=${VECTOR}`, 't'],
    ['no v1', `t=${T}`, 'v1'],
    ['upper-case hex', `t=${T},v1=${VECTOR.toUpperCase()}`, 'v1'],
    ['a short v1', `t=${T},v1=${VECTOR.slice(1)}`, 'v1'],
    ['no pairs at all', 'garbage', 't'],
  ])('refuses a malformed header (%s)', (_name, header, part) => {
    expect(verify(header)).toMatchObject({ ok: false, field: `${SIGNATURE_HEADER}.${part}` })
  })

  it('accepts a header with several v1 of which one is right, and ignores unknown keys', () => {
    const wrong = 'a'.repeat(64)
    expect(verify(`t=${T}, v0=x, v1=${wrong}, v1=${VECTOR}`)).toEqual({ ok: true })
    expect(verify(`t=${T},v1=${wrong},v1=${'b'.repeat(64)}`)).toMatchObject({ ok: false })
  })

  it('refuses a signature made with another key', () => {
    const other = calendlySignature('another-key', String(T), BODY)
    expect(verify(`t=${T},v1=${other}`)).toMatchObject({ ok: false, field: `${SIGNATURE_HEADER}.v1` })
  })
})

describe('parseSignatureHeader', () => {
  it('never throws and refuses anything longer than the bound', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2 * MAX_SIGNATURE_HEADER_CHARS }), (header) => {
        const parsed = parseSignatureHeader(header)
        if (header.length > MAX_SIGNATURE_HEADER_CHARS) expect(parsed).toHaveProperty('error')
        if (!('error' in parsed)) {
          expect(parsed.t).toMatch(/^\d{10}$/)
          expect(parsed.v1.length).toBeGreaterThan(0)
        }
      }),
    )
  })

  it('reads back any well-formed header, in any order with other keys', () => {
    const hex = fc.stringMatching(/^[a-f0-9]{64}$/)
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{10}$/),
        fc.array(hex, { minLength: 1, maxLength: 4 }),
        fc.array(fc.stringMatching(/^[a-z]\w{0,5}=[\w.]{0,10}$/), { maxLength: 3 }),
        (t, v1, others) => {
          const pairs = [
            ...others.filter((pair) => !/^(t|v1)=/.test(pair)),
            ...v1.map((v) => `v1=${v}`),
            `t=${t}`,
          ]
          expect(parseSignatureHeader(pairs.join(','))).toEqual({ t, v1 })
        },
      ),
    )
  })

  it('skips empty pairs between the ones it needs', () => {
    const header = `t=${T},${','.repeat(MAX_SIGNATURE_HEADER_CHARS - 100)}v1=${VECTOR}`
    expect(parseSignatureHeader(header)).toEqual({ t: String(T), v1: [VECTOR] })
  })
})
