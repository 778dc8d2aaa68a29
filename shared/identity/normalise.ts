import { createHash } from 'node:crypto'
import { isCountryCode } from './countries.ts'
import type { TraitKind } from './kinds.ts'
import { MAX_TRAIT_VALUE_LENGTH } from './limits.ts'

/**
 * Meta's `user_data` normalisation before SHA-256 (vendors.md §2.3), one function per trait kind.
 * LinkedIn's `SHA256_EMAIL` uses the same e-mail rule (§3.2). Each normaliser answers undefined for a
 * value it cannot normalise: such a trait is absent, never sent unnormalised.
 */

export { HASHED_TRAIT_KINDS, type TraitKind } from './kinds.ts'

const SHA256_HEX = /^[a-f0-9]{64}$/i
const LOWERCASE_SHA256_HEX = /^[a-f0-9]{64}$/
const MD5_HEX = /^[a-f0-9]{32}$/i

/** RFC 5321: 254 characters in an address, 64 in its local part. */
const MAX_EMAIL_LENGTH = 254
const MAX_EMAIL_LOCAL_PART_LENGTH = 64
const EMAIL_LOCAL_CHAR = "[\\p{L}\\p{N}!#$%&'*+/=?^_\\x60{|}~-]"
/** Dot-separated atoms, an at-sign, dot-separated labels and a TLD of letters; every part ends at its dot: linear. */
const PLAUSIBLE_EMAIL = new RegExp(
  `^${EMAIL_LOCAL_CHAR}+(?:\\.${EMAIL_LOCAL_CHAR}+)*@(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?\\.)+\\p{L}{2,}$`,
  'u',
)

/** E.164: at most 15 digits; Meta's SDK takes no fewer than 7. */
const MIN_PHONE_DIGITS = 7
const MAX_PHONE_DIGITS = 15

const MIN_POSTCODE_LENGTH = 2
const MAX_POSTCODE_LENGTH = 16
const PLAUSIBLE_POSTCODE = new RegExp(`^[\\p{L}\\p{N}]{${MIN_POSTCODE_LENGTH},${MAX_POSTCODE_LENGTH}}$`, 'u')

const NOT_A_LETTER = /[^\p{L}\p{M}]/gu
const CITY_REMOVED = /[0-9\s().-]/gu
const WHITESPACE = /\s/gu
const NOT_A_DIGIT = /[^0-9]/g

/** Trimmed and lowercased; undefined unless it looks like an address. */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase()
  if (email.length > MAX_EMAIL_LENGTH) return undefined
  const at = email.indexOf('@')
  if (at < 1 || at > MAX_EMAIL_LOCAL_PART_LENGTH) return undefined
  return PLAUSIBLE_EMAIL.test(email) ? email : undefined
}

/**
 * Digits only, with the country code and no leading zeros. An international number may be written
 * `+49…`, `+0049…` or `0049…`; a national number (one leading 0) lacks its country code, which cannot
 * be guessed, so it is absent. A number starting 1–9 is taken to start with its country code.
 */
export function normalisePhone(raw: string): string | undefined {
  const firstSignificant = raw.search(/[0-9+]/)
  if (firstSignificant === -1) return undefined
  let digits = raw.replace(NOT_A_DIGIT, '')
  if (raw[firstSignificant] === '+') digits = digits.replace(/^0{1,2}/, '')
  else if (digits.startsWith('00')) digits = digits.slice(2)
  // No country code starts with 0: what still does is a national number (or too many zeros).
  if (digits.startsWith('0')) return undefined
  return digits.length >= MIN_PHONE_DIGITS && digits.length <= MAX_PHONE_DIGITS ? digits : undefined
}

/** Lowercase letters only (any script, UTF-8, NFC): punctuation, digits and spaces removed. */
export function normaliseName(raw: string): string | undefined {
  const name = raw.normalize('NFC').toLowerCase().replace(NOT_A_LETTER, '').normalize('NFC')
  return name === '' ? undefined : name
}

/** Lowercase, without digits, whitespace or `().-` (Meta's SDK rule for `ct`). */
export function normaliseCity(raw: string): string | undefined {
  const city = raw.normalize('NFC').toLowerCase().replace(CITY_REMOVED, '')
  return city === '' ? undefined : city
}

/** Lowercase, no whitespace, the part before `-` (`94107-1234` → `94107`), 2–16 letters or digits. */
export function normalisePostcode(raw: string): string | undefined {
  const [postcode = ''] = raw.normalize('NFC').toLowerCase().replace(WHITESPACE, '').split('-', 1)
  return PLAUSIBLE_POSTCODE.test(postcode) ? postcode : undefined
}

/** An ISO 3166-1 alpha-2 code, lowercase; anything else (names, `uk`, alpha-3) is absent. */
export function normaliseCountry(raw: string): string | undefined {
  const code = raw.trim().toLowerCase()
  return isCountryCode(code) ? code : undefined
}

const TRAIT_NORMALISERS: Readonly<Record<TraitKind, (raw: string) => string | undefined>> = {
  email: normaliseEmail,
  phone: normalisePhone,
  firstName: normaliseName,
  lastName: normaliseName,
  city: normaliseCity,
  postcode: normalisePostcode,
  country: normaliseCountry,
}

/** The kind's normal form, before hashing. */
export function normaliseTrait(kind: TraitKind, raw: string): string | undefined {
  return raw.length > MAX_TRAIT_VALUE_LENGTH ? undefined : TRAIT_NORMALISERS[kind](raw)
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** Whether `value` is a SHA-256 digest as vendors take it: 64 lowercase hex characters. */
export function isSha256Hex(value: string): boolean {
  return LOWERCASE_SHA256_HEX.test(value)
}

/**
 * The trait as a vendor takes it: SHA-256 (lowercase hex) of its normal form. A value the client
 * already hashed with SHA-256 passes through (lowercased); an MD5-looking one is dropped, as Meta
 * wants SHA-256. Undefined when the value cannot be normalised.
 */
export function hashTrait(kind: TraitKind, raw: string): string | undefined {
  if (raw.length > MAX_TRAIT_VALUE_LENGTH) return undefined
  const trimmed = raw.trim()
  if (SHA256_HEX.test(trimmed)) return trimmed.toLowerCase()
  if (MD5_HEX.test(trimmed)) return undefined
  const normalised = TRAIT_NORMALISERS[kind](trimmed)
  return normalised === undefined ? undefined : sha256Hex(normalised)
}
