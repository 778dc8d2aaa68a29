import { type Detection, isAsciiLetter } from './detection.ts'

/**
 * E-mail addresses in text, in one left-to-right pass: each at-sign is looked at once, its domain read
 * forward by a sticky regex whose labels end at dots (no overlapping quantifiers), its local part walked
 * back over at most 64 characters. Domains may be Unicode (`bücher.de`) or punycode (`xn--bcher-kva.de`,
 * also as the top-level label). Percent-encoded at-signs are the caller's business: it decodes first.
 */

/** `@` and the full-width forms NFKC folds into it (`＠`, `﹫`). */
const AT_SIGNS: ReadonlySet<string> = new Set(['@', '\uff20', '\ufe6b'])
/** RFC 5321: at most 64 characters before the at-sign, which also bounds the walk back. */
const MAX_LOCAL_PART_CHARS = 64
/** RFC 1035 label of up to 63 characters; at most 127 of them; a letter-only or punycode last label. */
const DOMAIN_AFTER_AT = /(?:[\p{L}\p{N}][\p{L}\p{N}-]{0,62}\.){1,127}(?:xn--[a-z0-9-]{1,59}|\p{L}{2,63})/iuy
const LOCAL_CHAR = /[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]/u

export function findEmails(text: string): Detection[] {
  if (!mayHoldEmail(text)) return []
  const found: Detection[] = []
  let floor = 0
  for (let at = 0; at < text.length; at++) {
    if (!AT_SIGNS.has(text.charAt(at))) continue
    const start = localPartStart(text, at, floor)
    if (start === at) continue
    DOMAIN_AFTER_AT.lastIndex = at + 1
    const domain = DOMAIN_AFTER_AT.exec(text)
    if (!domain) continue
    const end = at + 1 + domain[0].length
    found.push({ detector: 'email', start, end })
    floor = end
    at = end - 1
  }
  return found
}

function mayHoldEmail(text: string): boolean {
  return text.includes('@') || text.includes('\uff20') || text.includes('\ufe6b')
}

/** Walks back from the at-sign over local-part characters, at most 64, never before `floor`. */
function localPartStart(text: string, at: number, floor: number): number {
  let start = at
  while (start > floor && at - start < MAX_LOCAL_PART_CHARS) {
    const code = text.charCodeAt(start - 1)
    const isLocal =
      isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || LOCAL_CHAR.test(text.charAt(start - 1))
    if (!isLocal) break
    start -= 1
  }
  // A local part does not start with a dot: `see.@x.org` is not an address, `see.j@x.org` is `j@x.org`'s.
  while (start < at && text.charAt(start) === '.') start += 1
  return start
}
