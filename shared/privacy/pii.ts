import { containsEmail, emailSpans, type Span } from './email.ts'
import { decodePercent } from './percent.ts'

/**
 * Heuristics that recognise personal data and secrets in free text, URLs and property names. They err
 * towards removing too much: a dropped harmless value costs a report column, a forwarded e-mail costs trust.
 */

export const REDACTED = '[redacted]'

// ---- e-mail: see email.ts

export { looksLikeEmail } from './email.ts'
export { decodePercent } from './percent.ts'

// ---- phone

/** E.164 allows at most 15 digits; below 7 digits too many ordinary numbers would match. */
const MIN_PHONE_DIGITS = 7
const MAX_PHONE_DIGITS = 15
/** A phone number is written in at most this many whitespace-separated groups (`+49 30 123 456 78`). */
const MAX_PHONE_GROUPS = 8

const PHONE_SHAPE = /^[+(]?\d[\d ().\u00a0-]*\d$/
const HAS_SEPARATOR = /[ ().\u00a0-]/
const DATE_INSIDE =
  /(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)\d\d/
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/
const DECIMAL = /^\d+\.\d+$/
const DOTTED_THOUSANDS = /^[1-9]\d{0,2}(?:\.\d{3})+$/

/**
 * 7–15 digits with an optional leading `+` and the usual separators. Dates, IPv4 addresses, decimals,
 * prices and thousands-grouped numbers are not phones; neither is a bare digit run (a timestamp, an
 * order number) unless it starts with `+` or a trunk/international `0`.
 */
export function looksLikePhone(text: string): boolean {
  const candidate = text.trim()
  if (!PHONE_SHAPE.test(candidate)) return false
  const digits = candidate.replace(/\D/g, '')
  if (digits.length < MIN_PHONE_DIGITS || digits.length > MAX_PHONE_DIGITS) return false
  if (DATE_INSIDE.test(candidate) || DOTTED_QUAD.test(candidate)) return false
  if (DECIMAL.test(candidate) || DOTTED_THOUSANDS.test(candidate)) return false
  return HAS_SEPARATOR.test(candidate) || candidate.startsWith('+') || candidate.startsWith('0')
}

/** A stretch of phone characters that is not glued to a word (`SKU12345678` is an id, not a phone). */
const PHONE_RUN = /(?<![\p{L}\p{N}_])[+(]?\d[\d ().\u00a0-]*\d\)?/gu
/** Touching a word directly or through a hyphen: part of an identifier such as a UUID or `ABC-0301234567`. */
const GLUED_BEFORE = /[\p{L}\p{N}_]-$/u
const GLUED_AFTER = /^-?[\p{L}\p{N}_]/u

/** Phone numbers inside free text, found group by group so a neighbouring number does not hide one. */
function phoneSpans(text: string): Span[] {
  const spans: Span[] = []
  for (const run of text.matchAll(PHONE_RUN)) {
    // Most runs are short numbers (`%25`, prices, years): settled by their digit count alone.
    if (countDigits(run[0]) < MIN_PHONE_DIGITS) continue
    const end = run.index + run[0].length
    const before = text.slice(Math.max(0, run.index - 2), run.index)
    if (GLUED_BEFORE.test(before) || GLUED_AFTER.test(text.slice(end, end + 2))) continue
    spans.push(...phonesInRun(run[0], run.index))
  }
  return spans
}

interface Group extends Span {
  digits: number
}

function phonesInRun(run: string, offset: number): Span[] {
  const groups: Group[] = [...run.matchAll(/\S+/g)].map((group) => ({
    start: group.index,
    end: group.index + group[0].length,
    digits: countDigits(group[0]),
  }))
  const spans: Span[] = []
  let first = 0
  while (first < groups.length) {
    const found = longestPhoneFrom(run, groups, first)
    if (found === undefined) {
      first += 1
      continue
    }
    spans.push({ start: offset + found.start, end: offset + found.end })
    first = found.nextGroup
  }
  return spans
}

/**
 * Tries the longest stretch of groups first. A stretch whose digit count is outside 7–15, or that does
 * not end in a digit, cannot be a phone: skipping it without reading its text keeps long runs cheap.
 */
function longestPhoneFrom(run: string, groups: Group[], first: number) {
  const start = groups[first]?.start
  if (start === undefined) return undefined
  const lastCandidate = Math.min(groups.length, first + MAX_PHONE_GROUPS)
  let digits = 0
  for (let next = first; next < lastCandidate; next += 1) digits += groups[next]?.digits ?? 0
  for (let next = lastCandidate; next > first; next -= 1) {
    const end = groups[next - 1]?.end
    const plausible =
      digits >= MIN_PHONE_DIGITS && digits <= MAX_PHONE_DIGITS && isDigitAt(run, (end ?? 0) - 1)
    if (end !== undefined && plausible && looksLikePhone(run.slice(start, end))) {
      return { start, end, nextGroup: next }
    }
    digits -= groups[next - 1]?.digits ?? 0
  }
  return undefined
}

function isDigitAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index)
  return code >= 0x30 && code <= 0x39
}

function countDigits(text: string): number {
  let digits = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= 0x30 && code <= 0x39) digits++
  }
  return digits
}

// ---- tokens and secrets

/** Shortest hex/base64 run treated as a secret; shorter ids (order numbers, short hashes) pass. */
const MIN_TOKEN_LENGTH = 24
/**
 * Characters per word break inside a run. Readable names break every four or more characters
 * (`XMLHttpRequest`, `my-2024-Annual-Report`: a dash is not a break); random base64 every two or so.
 * Fewer than this reads as random: true of 98 % of random 24-character runs, 99.5 % of 43-character ones.
 */
const READABLE_MIN_CHARACTERS_PER_WORD_BREAK = 3
const WORD = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g
/**
 * A JWT is `eyJ` and 5+ characters, a dot, 5+ characters and a dot (the signature may be empty). Scanning
 * for `eyJ` directly re-reads the rest of a long word once per `eyJ` in it; instead each word is read
 * once (it must start at a word boundary) and the next one once by the look-ahead, then searched for `eyJ`.
 */
const JWT_HEADER_MARK = 'eyJ'
const JWT_MIN_PART_CHARS = 5
const WORD_BEFORE_JWT_PAYLOAD = /(?<![\w-])[\w-]+(?=\.[\w-]{5,}\.)/g
/** An `Authorization: Bearer` value: opaque credentials carry digits, prose after the word "bearer" does not. */
const BEARER = /\bbearer\s+(?=[\w+/=.~-]*\d)[\w+/=.~-]{16,}/i
/** Starts only where a run starts, so a run shorter than 24 is read once, not once per character. */
const TOKEN_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g
const HEX = /^(?=.*\d)(?=.*[a-f])[0-9a-f]+$|^(?=.*\d)(?=.*[A-F])[0-9A-F]+$/

/** A JWT, a Bearer credential, or a long hex/base64/base64url run that reads as random rather than words. */
export function looksLikeToken(text: string): boolean {
  if (containsJwt(text) || BEARER.test(text)) return true
  for (const [run] of text.matchAll(TOKEN_RUN)) {
    const bare = run.replace(/=+$/, '')
    if (bare.length < MIN_TOKEN_LENGTH) continue
    if (HEX.test(bare) || charactersPerWordBreak(bare) < READABLE_MIN_CHARACTERS_PER_WORD_BREAK) return true
  }
  return false
}

function containsJwt(text: string): boolean {
  if (!text.includes(JWT_HEADER_MARK)) return false
  for (const [word] of text.matchAll(WORD_BEFORE_JWT_PAYLOAD)) {
    const mark = word.indexOf(JWT_HEADER_MARK)
    if (mark !== -1 && word.length - mark - JWT_HEADER_MARK.length >= JWT_MIN_PART_CHARS) return true
  }
  return false
}

function charactersPerWordBreak(run: string): number {
  let characters = 0
  let breaks = 0
  for (const piece of run.split(/[-_+/]/)) {
    characters += piece.length
    breaks += Math.max(0, (piece.match(WORD)?.length ?? 0) - 1)
  }
  return characters / (breaks + 1)
}

// ---- text

/** How many times a value is percent-decoded while looking for hidden PII (`%2540` is two levels). */
const MAX_DECODING_DEPTH = 3

/** The text as written and percent-decoded up to a few levels, each also form-decoded (`+` as space). */
export function decodedForms(text: string): string[] {
  const forms = new Set<string>()
  const starts = text.includes('+') ? [text, text.replaceAll('+', ' ')] : [text]
  for (const start of starts) {
    let current = start
    forms.add(current)
    for (let depth = 0; depth < MAX_DECODING_DEPTH; depth += 1) {
      const decoded = decodePercent(current)
      if (decoded === current) break
      forms.add(decoded)
      current = decoded
    }
  }
  return [...forms]
}

/** An e-mail address or phone number anywhere in the text, also when percent-encoded. */
export function containsPii(text: string): boolean {
  return decodedForms(text).some((form) => containsEmail(form) || phoneSpans(form).length > 0)
}

/** Replaces each e-mail address and phone number in the text with `[redacted]`. */
export function redactPii(text: string): string {
  const withoutEmails = replaceSpans(text, emailSpans(text))
  return replaceSpans(withoutEmails, phoneSpans(withoutEmails))
}

/** Built in one pass: splicing span by span would copy the text once per span. */
function replaceSpans(text: string, spans: ReadonlyArray<Span>): string {
  if (spans.length === 0) return text
  const pieces: string[] = []
  let kept = 0
  for (const { start, end } of spans) {
    pieces.push(text.slice(kept, start), REDACTED)
    kept = end
  }
  pieces.push(text.slice(kept))
  return pieces.join('')
}

// ---- property and parameter names

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((word) => word.length > 0))
}

/** Names matched whole, after lower-casing and removing `_`, `-`, `.` and spaces (`First-Name` → `firstname`). */
const SENSITIVE_NAMES: ReadonlySet<string> = words(`
  email mail emailaddress phone phonenumber tel telephone mobile mobilephone mobilenumber cell cellphone
  fax name firstname lastname fullname givenname familyname surname middlename username login address
  address1 address2 addressline1 addressline2 street streetaddress zip zipcode postcode postalcode birthday
  birthdate dob dateofbirth ssn taxid nationalid passport password passwd pwd pass passphrase pin secret
  clientsecret token accesstoken idtoken refreshtoken authtoken auth authorization authcode apikey key
  session sessionid sid code otp creditcard card cardnumber cc ccnumber cvv cvc iban ip ipaddress clientip
  remoteaddr latitude longitude lat lng lon geo signature sig cookie jwt
`)

/** Words that make any name sensitive wherever they appear in it (`billing_email`, `userPhone`, `csrfToken`). */
const SENSITIVE_WORDS: ReadonlySet<string> = words(`
  email emails mail phone telephone fax password passwd pwd passphrase secret token jwt ssn iban cvv cvc ip
  ipv4 ipv6 birthday dob surname firstname lastname fullname username address street zip zipcode postcode
  authorization credential credentials cookie otp
`)

/** Fragments that make a name sensitive even inside a compound (`xApiKey`, `customer_date_of_birth`). */
const SENSITIVE_FRAGMENTS: readonly string[] = [
  ...words(`
  email password apikey accesskey privatekey secretkey creditcard cardnumber ipaddress firstname lastname
  fullname dateofbirth birthdate phonenumber streetaddress postalcode accesstoken refreshtoken idtoken
  authtoken
`),
]

/** Whether a property or parameter name announces personal data or a secret. */
export function isSensitiveKey(name: string): boolean {
  const nameWords = wordsOfAsciiName(name) ?? wordsOfName(name)
  const joined = nameWords.join('')
  if (SENSITIVE_NAMES.has(joined)) return true
  if (nameWords.some((word) => SENSITIVE_WORDS.has(word))) return true
  return SENSITIVE_FRAGMENTS.some((fragment) => joined.includes(fragment))
}

/** `billingEmail_2` → `billing`, `email`, `2`: a break before a capital that follows a small letter or digit. */
function wordsOfName(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0)
}

/**
 * wordsOfName in one pass without regexes; undefined for a name beyond ASCII, where lower-casing can
 * make letters of other characters (the Kelvin sign becomes `k`).
 */
function wordsOfAsciiName(name: string): string[] | undefined {
  const found: string[] = []
  let word = ''
  let previousSmallOrDigit = false
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index)
    if (code > 0x7f) return undefined
    const capital = code >= 0x41 && code <= 0x5a
    const smallOrDigit = (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)
    if ((capital && previousSmallOrDigit) || (!capital && !smallOrDigit)) {
      if (word !== '') found.push(word)
      word = ''
    }
    if (capital) word += String.fromCharCode(code + 0x20)
    else if (smallOrDigit) word += name.charAt(index)
    previousSmallOrDigit = smallOrDigit
  }
  if (word !== '') found.push(word)
  return found
}
