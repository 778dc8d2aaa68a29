/**
 * E-mail addresses in free text, found in time linear in the text's length whatever it holds.
 *
 * An address is up to 64 local-part characters, an at-sign (`@`, or `%40`, `%2540`, … percent-encoded)
 * and a domain. A regex that starts the 64-character local part at every position of the text costs
 * 64 steps per character on long runs of local-part characters; instead the scan looks for the at-sign
 * and domain (the "core", tried once per position), and only then walks back over the local part.
 */

/** RFC 5322 atext plus dots. */
const LOCAL_CHAR = "[\\p{L}\\p{N}!#$%&'*+/=?^_\\x60{|}~.-]"
/** RFC 5321's limit, in code points; it also bounds the walk back from an at-sign. */
const MAX_LOCAL_PART_CHARS = 64
const AT_SIGN = '(?:@|%(?:25)*40)'
const DOMAIN = '(?:[\\p{L}\\p{N}][\\p{L}\\p{N}-]*\\.)+\\p{L}{2,}'

/**
 * An at-sign and domain with one local-part character before it: an address exists exactly when such a
 * core does. Linear: the domain's labels each end at their dot, and the domains of two cores never overlap.
 */
const CORE_SOURCE = `(?<=${LOCAL_CHAR})${AT_SIGN}${DOMAIN}`
const CORE_ANYWHERE = new RegExp(CORE_SOURCE, 'iu')
const CORE_EVERYWHERE = new RegExp(CORE_SOURCE, 'giu')
/** Anchored at both ends there is a single start: the local part's backtracking is bounded by 64. */
const EMAIL_EXACTLY = new RegExp(`^${LOCAL_CHAR}{1,${MAX_LOCAL_PART_CHARS}}${AT_SIGN}${DOMAIN}$`, 'iu')
const ONE_LOCAL_CHAR = new RegExp(`^${LOCAL_CHAR}$`, 'u')

/** Every at-sign starts with one of these: text without either holds no address (the cheap common case). */
function mayHoldEmail(text: string): boolean {
  return text.includes('@') || text.includes('%')
}

export function looksLikeEmail(text: string): boolean {
  const candidate = text.trim()
  return mayHoldEmail(candidate) && EMAIL_EXACTLY.test(candidate)
}

/** An e-mail address anywhere in the text (as written: callers decode first). */
export function containsEmail(text: string): boolean {
  return mayHoldEmail(text) && CORE_ANYWHERE.test(text)
}

export interface Span {
  start: number
  end: number
}

/**
 * The addresses in the text, left to right, as a global regex `local{1,64} at-sign domain` would match
 * them: each starts as early as it can (after the previous one), and takes the last at-sign its local
 * part can reach, so `a%40b%40c.com` is one address, not two.
 */
export function emailSpans(text: string): Span[] {
  if (!mayHoldEmail(text)) return []
  const spans: Span[] = []
  let current: Span | undefined
  // A new address starts after the last one found, even when the core in between started none.
  let floor = 0
  for (const core of text.matchAll(CORE_EVERYWHERE)) {
    const at = core.index
    const end = at + core[0].length
    if (current && localPartReaches(text, current, at)) {
      current.end = end
      continue
    }
    if (current) {
      spans.push(current)
      floor = current.end
    }
    const start = localPartStart(text, at, floor)
    current = start < at ? { start, end } : undefined
  }
  if (current) spans.push(current)
  return spans
}

/**
 * Whether the local part of the address in `span` also reaches the at-sign at `at`: at most 64
 * characters, all of them local-part characters. The span's own characters are, unless it holds a
 * plain `@` (an encoded at-sign and a domain are made of local-part characters), so only the gap after
 * it needs checking.
 */
function localPartReaches(text: string, span: Span, at: number): boolean {
  // A code point is one or two UTF-16 units: beyond twice the limit it is certainly out of reach.
  if (at - span.start > 2 * MAX_LOCAL_PART_CHARS) return false
  const between = text.slice(span.start, at)
  if (between.includes('@') || codePointCount(between) > MAX_LOCAL_PART_CHARS) return false
  return allLocalChars(text.slice(span.end, at))
}

/** Walks back from the at-sign over at most 64 local-part characters, never before `floor`. */
function localPartStart(text: string, at: number, floor: number): number {
  let start = at
  for (let count = 0; count < MAX_LOCAL_PART_CHARS && start > floor; count++) {
    const width = codePointWidthBefore(text, start, floor)
    if (!ONE_LOCAL_CHAR.test(text.slice(start - width, start))) break
    start -= width
  }
  return start
}

function codePointWidthBefore(text: string, index: number, floor: number): number {
  const low = text.charCodeAt(index - 1)
  const high = text.charCodeAt(index - 2)
  const isPair = index - 2 >= floor && low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff
  return isPair ? 2 : 1
}

function codePointCount(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

function allLocalChars(text: string): boolean {
  for (const char of text) if (!ONE_LOCAL_CHAR.test(char)) return false
  return true
}
