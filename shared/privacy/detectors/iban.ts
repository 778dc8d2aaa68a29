import { type Detection, isAsciiDigit, isAsciiLetter, isWordCharAt } from './detection.ts'

/** ISO 13616: an IBAN is at most 34 characters; the shortest in use (Norway) has 15. */
export const MIN_IBAN_CHARS = 15
const MAX_IBAN_CHARS = 34
const IBAN_MODULUS = 97

/** IBAN length per country (SWIFT IBAN registry); other countries: the whole compact run, 15–34 characters. */
const IBAN_LENGTH: ReadonlyMap<string, number> = new Map(
  Object.entries({
    AD: 24,
    AE: 23,
    AL: 28,
    AT: 20,
    AZ: 28,
    BA: 20,
    BE: 16,
    BG: 22,
    BH: 22,
    BR: 29,
    CH: 21,
    CR: 22,
    CY: 28,
    CZ: 24,
    DE: 22,
    DK: 18,
    DO: 28,
    EE: 20,
    ES: 24,
    FI: 18,
    FO: 18,
    FR: 27,
    GB: 22,
    GE: 22,
    GI: 23,
    GL: 18,
    GR: 27,
    GT: 28,
    HR: 21,
    HU: 28,
    IE: 22,
    IL: 23,
    IS: 26,
    IT: 27,
    JO: 30,
    KW: 30,
    KZ: 20,
    LB: 28,
    LI: 21,
    LT: 20,
    LU: 20,
    LV: 21,
    MC: 27,
    MD: 24,
    ME: 22,
    MK: 19,
    MR: 27,
    MT: 31,
    MU: 30,
    NL: 18,
    NO: 15,
    PK: 24,
    PL: 28,
    PS: 29,
    PT: 25,
    QA: 29,
    RO: 24,
    RS: 22,
    SA: 24,
    SE: 24,
    SI: 19,
    SK: 24,
    SM: 27,
    TN: 24,
    TR: 26,
    UA: 29,
    VG: 24,
    XK: 20,
  }),
)

/**
 * IBANs, compact (`DE89370400440532013000`) or in groups (`DE89 3704 0044 0532 0130 00`), any case,
 * whose ISO 13616 mod-97 check holds. Candidates start only at a word start with two letters and two
 * digits, and each reads at most 34 characters on, so the scan is linear.
 */
export function findIbans(text: string): Detection[] {
  const found: Detection[] = []
  for (let start = 0; start + 4 <= text.length; start++) {
    if (!startsCandidate(text, start)) continue
    const candidate = readCandidate(text, start)
    const country = candidate.characters.slice(0, 2).toUpperCase()
    const length = IBAN_LENGTH.get(country) ?? candidate.characters.length
    if (length < MIN_IBAN_CHARS || candidate.characters.length < length) continue
    const endOfIban = candidate.ends[length - 1] ?? start
    if (isWordCharAt(text, endOfIban) || !mod97Holds(candidate.characters.slice(0, length))) continue
    found.push({ detector: 'iban', start, end: endOfIban })
    start = endOfIban - 1
  }
  return found
}

function startsCandidate(text: string, start: number): boolean {
  return (
    !isWordCharAt(text, start - 1) &&
    isAsciiLetter(text.charCodeAt(start)) &&
    isAsciiLetter(text.charCodeAt(start + 1)) &&
    isAsciiDigit(text.charCodeAt(start + 2)) &&
    isAsciiDigit(text.charCodeAt(start + 3))
  )
}

/** Up to 34 ASCII letters and digits from `start`, single spaces between them allowed; `ends[i]` follows character i. */
function readCandidate(text: string, start: number): { characters: string; ends: number[] } {
  let characters = ''
  const ends: number[] = []
  let index = start
  while (characters.length < MAX_IBAN_CHARS && index < text.length) {
    const code = text.charCodeAt(index)
    if (isAsciiDigit(code) || isAsciiLetter(code)) {
      characters += text.charAt(index)
      index++
      ends.push(index)
    } else if (code === 0x20 && isAlnumAt(text, index + 1) && characters.length > 0) {
      index++
    } else break
  }
  return { characters, ends }
}

function isAlnumAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index)
  return isAsciiDigit(code) || isAsciiLetter(code)
}

/** ISO 13616: move the first four characters to the end, letters to 10–35, and the number mod 97 is 1. */
export function mod97Holds(iban: string): boolean {
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`.toUpperCase()
  let remainder = 0
  for (let index = 0; index < rearranged.length; index++) {
    const code = rearranged.charCodeAt(index)
    const value = isAsciiDigit(code) ? code - 0x30 : code - 0x41 + 10
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % IBAN_MODULUS
  }
  return remainder === 1
}
