import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatSession,
  isVisitorId,
  MAX_SESSION_COOKIE_LENGTH,
  newSessionId,
  newVisitorId,
  parseSession,
  readFirstPartyCookies,
  type Session,
} from '#shared/identity/first-party-cookies.ts'

const sessionArbitrary: fc.Arbitrary<Session> = fc
  .record({
    id: fc
      .integer({ min: 1, max: 8 })
      .chain((first) =>
        fc
          .string({ unit: fc.constantFrom(...'0123456789'), minLength: 15, maxLength: 15 })
          .map((rest) => `${first}${rest}`),
      ),
    number: fc.integer({ min: 1, max: 999_999 }),
    startedAt: fc.integer({ min: 0, max: 99_999_999_999 }),
    span: fc.integer({ min: 0, max: 10_000 }),
  })
  .map(({ id, number, startedAt, span }) => ({ id, number, startedAt, lastAt: startedAt + span }))

describe('the tw_s session cookie', () => {
  it('reads back every session it writes, within the length bound', () => {
    fc.assert(
      fc.property(sessionArbitrary, (session) => {
        const value = formatSession(session)
        expect(value.length).toBeLessThanOrEqual(MAX_SESSION_COOKIE_LENGTH)
        expect(parseSession(value)).toEqual(session)
      }),
    )
  })

  it('reads nothing from any other text, and anything it reads it writes back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (value) => {
        const parsed = parseSession(value)
        if (parsed) expect(formatSession(parsed)).toBe(value)
      }),
    )
  })

  it('refuses tampered forms: last before start, session number 0, short or long ids, extra parts', () => {
    for (const value of [
      '1234567890123456.200.100.1',
      '1234567890123456.100.200.0',
      '123456789012345.100.200.1',
      '12345678901234567.100.200.1',
      '1234567890123456.100.200.1.1',
      '0234567890123456.100.200.1',
      '1234567890123456.0100.200.1',
      `1234567890123456.100.200.1${' '.repeat(80)}`,
    ])
      expect(parseSession(value)).toBeUndefined()
  })

  it('answers quickly for long hostile values (linear regex, bounded length)', () => {
    const hostile = `${'1'.repeat(16)}.${'9'.repeat(50_000)}`
    expect(parseSession(hostile)).toBeUndefined()
  })

  it('draws session ids at random: 16 digits, below 2^53, never repeating in a run', () => {
    const ids = Array.from({ length: 2000 }, newSessionId)
    for (const id of ids) {
      expect(id).toMatch(/^[1-9][0-9]{15}$/)
      expect(Number(id)).toBeLessThan(Number.MAX_SAFE_INTEGER)
    }
    expect(new Set(ids).size).toBe(ids.length)
  })
})

describe('the tw_id visitor cookie', () => {
  it('mints 22-character base64url ids that it accepts', () => {
    const ids = Array.from({ length: 500 }, newVisitorId)
    for (const id of ids) expect(isVisitorId(id)).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('accepts only 22 to 64 base64url characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (value) => {
        expect(isVisitorId(value)).toBe(/^[A-Za-z0-9_-]{22,64}$/.test(value))
      }),
    )
  })

  it('reads tw_id and tw_s from the cookies array or a Cookie header, dropping malformed values', () => {
    const id = newVisitorId()
    const session = '1234567890123456.100.200.3'
    expect(readFirstPartyCookies([`tw_id=${id}`, `tw_s=${session}`])).toEqual({
      present: true,
      visitorId: id,
      session: { id: '1234567890123456', number: 3, startedAt: 100, lastAt: 200 },
    })
    expect(readFirstPartyCookies(undefined, `a=b; tw_id=${id}`)).toEqual({ present: true, visitorId: id })
    expect(readFirstPartyCookies(['tw_id=short', 'tw_s=bad'])).toEqual({ present: true })
    expect(readFirstPartyCookies(['other=1'])).toEqual({ present: false })
  })

  it('never throws on arbitrary cookie input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 80 }), { maxLength: 10 }),
        fc.option(fc.string()),
        (cookies, header) => {
          const read = readFirstPartyCookies(cookies, header ?? undefined)
          if (read.visitorId !== undefined) expect(isVisitorId(read.visitorId)).toBe(true)
        },
      ),
    )
  })
})
