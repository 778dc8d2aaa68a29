/**
 * What found a piece of personal data, named in the decision trace (the value itself never is).
 * `key-name` is a key named like personal data (`email`, `firstName`), whatever its value.
 */
export type DetectorId = 'email' | 'phone' | 'card' | 'iban' | 'ip' | 'visitor-id' | 'token' | 'key-name'

/** A stretch `[start, end)` of the inspected text that a detector recognised. */
export interface Detection {
  detector: DetectorId
  start: number
  end: number
  /** What may stand in its place (an IP's truncated form); absent: the field's own action applies. */
  replacement?: string
}

/** A detector reads one form of a text (as written or decoded) and reports what it recognised. */
export type Detector = (text: string) => Detection[]

/**
 * Longest text that leaves, in UTF-16 units: longer text is cut to this. Every vendor field is shorter
 * (GA4's longest, `page_location`, is 1000), so nothing past it could leave anyway.
 */
export const MAX_INSPECTED_CHARS = 4096
/**
 * How far past the cut a detector still reads, so a datum the cut would split is still found whole: the
 * longest datum any detector knows is an e-mail address (64 + 1 + 255 characters).
 */
export const MAX_DATUM_CHARS = 320

export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
}

const WORD_CHAR = /[\p{L}\p{N}]/u

/** A letter or digit in any script at `index` (false outside the text). */
export function isWordCharAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false
  const code = text.charCodeAt(index)
  if (code < 0x80) return isAsciiDigit(code) || isAsciiLetter(code)
  return WORD_CHAR.test(text.charAt(index))
}
