/**
 * Percent-decoding that never throws and never costs an exception per sequence. decodeURIComponent
 * throws on the first malformed sequence; decoding run by run with a try/catch around each costs a
 * thrown error per bad run, which `%FF` repeated over a 32 KB value turns into seconds.
 */

const ENCODED_RUN = /(?:%[0-9A-Fa-f]{2})+/g
/** The smallest code point a UTF-8 sequence of each length may encode; anything less is overlong. */
const MIN_CODE_POINT_BY_LENGTH = [0, 0, 0x80, 0x800, 0x10000] as const
const MAX_CODE_POINT = 0x10ffff
const ENCODED_BYTE_CHARS = 3

/** Percent-decodes every well-formed `%XX` sequence and leaves malformed ones alone, never throwing. */
export function decodePercent(text: string): string {
  if (!text.includes('%')) return text
  try {
    // When every sequence is well-formed this equals decoding run by run, in one call.
    return decodeURIComponent(text)
  } catch {
    return text.replace(ENCODED_RUN, decodeRun)
  }
}

/** A run of `%XX` decoded as decodeURIComponent would, or unchanged where it would throw. */
function decodeRun(run: string): string {
  let decoded = ''
  for (let index = 0; index < run.length; ) {
    const lead = byteAt(run, index)
    const length = sequenceLength(lead)
    if (length === 0) return run
    let codePoint = length === 1 ? lead : lead & (0xff >> (length + 1))
    for (let continuation = 1; continuation < length; continuation++) {
      const next = byteAt(run, index + continuation * ENCODED_BYTE_CHARS)
      if (!(next >= 0x80 && next <= 0xbf)) return run
      codePoint = (codePoint << 6) | (next & 0x3f)
    }
    const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff
    if (codePoint < MIN_CODE_POINT_BY_LENGTH[length] || codePoint > MAX_CODE_POINT || isSurrogate) return run
    decoded += String.fromCodePoint(codePoint)
    index += length * ENCODED_BYTE_CHARS
  }
  return decoded
}

/** The byte of the `%XX` at `index`; NaN past the end of the run. */
function byteAt(run: string, index: number): number {
  return index < run.length
    ? Number.parseInt(run.slice(index + 1, index + ENCODED_BYTE_CHARS), 16)
    : Number.NaN
}

/** Bytes in the UTF-8 sequence this lead byte starts; 0 when it cannot start one. */
function sequenceLength(lead: number): 0 | 1 | 2 | 3 | 4 {
  if (lead < 0x80) return 1
  if (lead >= 0xc2 && lead <= 0xdf) return 2
  if (lead >= 0xe0 && lead <= 0xef) return 3
  if (lead >= 0xf0 && lead <= 0xf4) return 4
  return 0
}
