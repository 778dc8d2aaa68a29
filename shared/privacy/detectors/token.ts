import type { Detection } from './detection.ts'

/** Shortest hex/base64 run treated as a secret; shorter ids (order numbers, short hashes) pass. */
const MIN_TOKEN_CHARS = 24
/**
 * Characters per word break inside a run. Readable names break every four or more characters
 * (`XMLHttpRequest`, `my-2024-Annual-Report`: a dash is not a break); random base64 every two or so.
 * The same rule as pii.ts's `looksLikeToken`, so both agree on what is random.
 */
const READABLE_MIN_CHARACTERS_PER_WORD_BREAK = 3
const WORD = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g
/** Each pattern starts only where its run starts (look-behind), so no run is read once per character. */
const JWT = /(?<![A-Za-z0-9])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g
/** An `Authorization: Bearer` value: opaque credentials carry digits, prose after the word "bearer" does not. */
const BEARER = /(?<![\w-])bearer[ \t]{1,8}(?=[\w+/=.~-]{0,512}\d)[\w+/=.~-]{16,}/gi
const TOKEN_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g
const LOWER_HEX = /^[0-9a-f]+$/
const UPPER_HEX = /^[0-9A-F]+$/

/** JWTs, Bearer credentials, and long hex/base64/base64url runs that read as random rather than words. */
export function findTokens(text: string): Detection[] {
  const found: Detection[] = []
  if (text.includes('eyJ')) for (const match of text.matchAll(JWT)) found.push(at(match))
  if (/bearer/i.test(text)) for (const match of text.matchAll(BEARER)) found.push(at(match))
  for (const match of text.matchAll(TOKEN_RUN)) {
    const bare = match[0].replace(/=+$/, '')
    if (bare.length >= MIN_TOKEN_CHARS && readsAsRandom(bare)) found.push(at(match))
  }
  return found.sort((a, b) => a.start - b.start)
}

function at(match: RegExpExecArray | RegExpMatchArray): Detection {
  const start = match.index ?? 0
  return { detector: 'token', start, end: start + match[0].length }
}

function readsAsRandom(run: string): boolean {
  if (isMixedHex(run)) return true
  let characters = 0
  let breaks = 0
  for (const piece of run.split(/[-_+/]/)) {
    characters += piece.length
    breaks += Math.max(0, (piece.match(WORD)?.length ?? 0) - 1)
  }
  return characters / (breaks + 1) < READABLE_MIN_CHARACTERS_PER_WORD_BREAK
}

/** Hex with both digits and letters, in one case: a hash or key, not a word. */
function isMixedHex(run: string): boolean {
  if (!LOWER_HEX.test(run) && !UPPER_HEX.test(run)) return false
  return /\d/.test(run) && /[a-f]/i.test(run)
}
