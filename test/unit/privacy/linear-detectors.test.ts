import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_EVENT_BYTES } from '#shared/events/limits.ts'
import { containsEmail, emailSpans, looksLikeEmail } from '#shared/privacy/email.ts'
import { containsPii, decodePercent, looksLikeToken, redactPii } from '#shared/privacy/pii.ts'
import { scrubProperties, scrubText } from '#shared/privacy/properties.ts'
import { scrubUrl } from '#shared/privacy/url.ts'
import { ga4ParamName } from '#shared/vendors/ga4/names.ts'
import { toGa4Payload } from '../../support/ga4.ts'
import { collectedEvent, GA4_CONTEXT } from '../vendors/fixtures.ts'

/*
 * The detectors were rewritten to run in time linear in their input. Two kinds of evidence here:
 * on short inputs they agree exactly with the plain regexes they replace (the oracles below, which are
 * fine on short text and quadratic on long text); on long inputs built from the shapes that made the
 * plain regexes backtrack, they answer correctly. A quadratic detector needs seconds per 32 KB input,
 * so one slipping back in fails these runs by the test timeout (speed itself is measured in the bench).
 */

// ---- oracles: the plain regexes, written out again (independent of the code under test)

const ORACLE_EMAIL =
  "[\\p{L}\\p{N}!#$%&'*+/=?^_\\x60{|}~.-]{1,64}(?:@|%(?:25)*40)(?:[\\p{L}\\p{N}][\\p{L}\\p{N}-]*\\.)+\\p{L}{2,}"
const oracleEmailAnywhere = new RegExp(ORACLE_EMAIL, 'iu')
const oracleEmailExactly = new RegExp(`^${ORACLE_EMAIL}$`, 'iu')
const oracleEmailSpans = (text: string) =>
  [...text.matchAll(new RegExp(ORACLE_EMAIL, 'giu'))].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }))
const oracleDecodePercent = (text: string) =>
  text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })
const oracleJwt = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/
const oracleCamelBoundary = (text: string) => text.replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')

// ---- generators

/** Pieces of addresses (local parts, at-signs, domains) and what sits around them, astral letters included. */
const emailPiece = fc.constantFrom(
  'a',
  'Zé',
  '𝒳',
  '1',
  '.',
  '-',
  '%',
  '%2',
  ' ',
  '+',
  '_',
  '@',
  '%40',
  '%2540',
  '%25%40',
  'ab.',
  'x.com',
  'b1-c.',
  'de',
  'é.fr',
  'a'.repeat(30),
  'a'.repeat(40),
)
const emailish = fc.array(emailPiece, { maxLength: 24 }).map((pieces) => pieces.join(''))
const tokenAlphabet = fc.constantFrom('e', 'y', 'J', 'a', 'B', '1', '.', '-', '_', ' ', '=')
const tokenish = fc.string({ unit: tokenAlphabet, maxLength: 80 })
const nameish = fc.string({ unit: fc.constantFrom('A', 'B', 'c', 'd', '1', '_', ' '), maxLength: 60 })

/** Fills `bytes` with repetitions of `unit` . */
const repeatTo = (unit: string, length: number) =>
  unit.repeat(Math.ceil(length / Math.max(1, unit.length))).slice(0, length)
const LONG = MAX_EVENT_BYTES

/** The repeating shapes that cost the plain regexes a re-read of the rest of the text per character. */
const ADVERSARIAL_UNITS: ReadonlyArray<[string, string]> = [
  ['local-part characters', 'a'],
  ['JWT header marks', 'eyJ'],
  ['capitals', 'A'],
  ['digits and spaces', '1 '],
  ['digits and dashes', '1-'],
  ['percent-encoded percent signs', '%25'],
  ['encoded at-signs', 'a%40'],
  ['at-signs before unending domains', 'a@1.'],
  ['domains without a top-level domain', '@a.'],
  ['dotted words', 'a.'],
  ['bearer words', 'bearer '],
  ['phone numbers', '0301234567 '],
  ['percent-encoded letters', '%41'],
  ['invalid UTF-8 escapes', '%FFa'],
  ['stray percent signs', 'a%2540%'],
  ['digits in parentheses', '(1) '],
]

const PLANTED_EMAIL = 'jane.doe@example.com'
const PLANTED_JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc'

/** A long filler of one shape with `planted` somewhere in it, between spaces. */
const plantedIn = (unit: string, planted: string) =>
  fc.tuple(fc.integer({ min: LONG / 2, max: LONG }), fc.nat()).map(([length, at]) => {
    const filler = repeatTo(unit, length)
    const position = at % (filler.length + 1)
    return `${filler.slice(0, position)} ${planted} ${filler.slice(position)}`
  })

const RUNS_PER_SHAPE = 8

describe('the e-mail scan', () => {
  it('finds an address exactly when the plain regex does', () => {
    fc.assert(
      fc.property(emailish, (text) => {
        expect(containsEmail(text)).toBe(oracleEmailAnywhere.test(text))
      }),
      { numRuns: 2000 },
    )
  })

  it('starts no address inside the one before it, even across an at-sign that starts none', () => {
    const text = 'a@é.fr%2540é.fr@x.com'
    expect(emailSpans(text)).toEqual(oracleEmailSpans(text))
  })

  it('finds the same address spans as the plain global regex', () => {
    fc.assert(
      fc.property(emailish, (text) => {
        expect(emailSpans(text)).toEqual(oracleEmailSpans(text))
      }),
      { numRuns: 2000 },
    )
  })

  it('matches a whole value exactly when the plain anchored regex does', () => {
    fc.assert(
      fc.property(emailish, (text) => {
        expect(looksLikeEmail(text)).toBe(oracleEmailExactly.test(text.trim()))
      }),
      { numRuns: 1000 },
    )
  })
})

/** Percent-encoded bytes of every kind (ASCII, lead and continuation bytes, invalid ones) and stray text. */
const percentish = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
      fc.constantFrom('%', '%4', 'a', '+', ' ', '%F0%9F%98%80', '%E2%82%AC', '%C3%A9', '%ED%A0%80', '%C0%80'),
    ),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join(''))

describe('percent-decoding', () => {
  it('decodes exactly as decodeURIComponent does run by run, leaving malformed runs alone', () => {
    fc.assert(
      fc.property(percentish, (text) => {
        expect(decodePercent(text)).toBe(oracleDecodePercent(text))
      }),
      { numRuns: 3000 },
    )
  })
})

describe('the JWT and camel-case scans', () => {
  it('finds a JWT exactly when the plain regex does', () => {
    fc.assert(
      fc.property(tokenish, fc.constantFrom('', 'eyJhbGciOi.eyJzdWIiOi.', 'eyJ12345.abcde.'), (text, jwt) => {
        const withMaybeJwt = `${text}${jwt}${text}`
        expect(looksLikeToken(withMaybeJwt) || !oracleJwt.test(withMaybeJwt)).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })

  it('snake-cases capitals before a capitalised word as the plain regex does', () => {
    fc.assert(
      fc.property(nameish, (name) => {
        const expected = oracleCamelBoundary(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '_')
          .replace(/^_+|_+$/g, '')
        fc.pre(/^[a-z][a-z0-9_]{0,39}$/.test(expected))
        expect(ga4ParamName(name)).toBe(expected)
      }),
      { numRuns: 1000 },
    )
  })
})

describe.each(ADVERSARIAL_UNITS)('every detector on 32 KB of %s', (_, unit) => {
  it('finds and removes an e-mail address planted anywhere in it', () => {
    fc.assert(
      fc.property(plantedIn(unit, PLANTED_EMAIL), (text) => {
        expect(containsPii(text)).toBe(true)
        expect(redactPii(text)).not.toContain(PLANTED_EMAIL)
        expect(scrubText(text)).not.toContain(PLANTED_EMAIL)
        const properties = scrubProperties({ note: text, [text.slice(0, 1000)]: 1 })
        expect(JSON.stringify(properties)).not.toContain(PLANTED_EMAIL)
        const url = scrubUrl(`https://www.example.com/${text}?q=${encodeURIComponent(text)}#${text}`)
        expect(url === undefined || !url.includes('jane.doe')).toBe(true)
      }),
      { numRuns: RUNS_PER_SHAPE },
    )
  })

  it('finds a JWT planted anywhere in it', () => {
    fc.assert(
      fc.property(plantedIn(unit, PLANTED_JWT), (text) => {
        expect(looksLikeToken(text)).toBe(true)
      }),
      { numRuns: RUNS_PER_SHAPE },
    )
  })

  it('gives GA4 no e-mail-like value and only valid names from it', () => {
    fc.assert(
      fc.property(plantedIn(unit, PLANTED_EMAIL), (text) => {
        const event = collectedEvent({ name: text, properties: { [text]: 'x', note: text } })
        const payload = toGa4Payload(event, GA4_CONTEXT)
        expect(JSON.stringify(payload)).not.toContain('@example.com')
        expect(payload?.event.name).toMatch(/^[a-z][a-z0-9_]{0,39}$/)
        expect(ga4ParamName(text) ?? 'dropped').toMatch(/^(?:[a-z][a-z0-9_]{0,39}|dropped)$/)
      }),
      { numRuns: RUNS_PER_SHAPE },
    )
  })
})
