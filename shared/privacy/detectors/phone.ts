import type { Detection } from './detection.ts'
import { type DigitGroup, digitGroups, digitRuns } from './digit-groups.ts'

/** E.164 numbers have at most 15 digits; below 7 too many ordinary numbers (prices, years, ids) would match. */
export const MIN_PHONE_DIGITS = 7
const MAX_PHONE_DIGITS = 15
/** A national number with its trunk 0 (or `00` and a country code) has at least 8 digits (Vienna `01 234567`). */
const MIN_TRUNK_DIGITS = 8
/** A phone number is written in at most this many digit groups (`+49 (0) 30 123 456 78`). */
const MAX_PHONE_GROUPS = 8
/** Between two groups of one number: `' '`, `-`, `/`, `.`, `) `, `(`, ` / ` and the like. */
const MAX_GAP_CHARS = 3
const GAP_CHARS = /^[ \u00a0()./-]+$/
const STRONG_SEPARATORS = /[./-]/g
const MIN_YEAR = 1900
const MAX_YEAR = 2099

/**
 * Phone numbers in E.164 (`+49 30 1234567`, `+4930…`, `0049 …`) and national formats (`030/1234567`,
 * `(030) 123 45 67`, `0171-2345678`, `01.23.45.67.89`, `(212) 555-1234`, `020 7946 0958`). Digit groups
 * joined by short separators form a run; when any stretch of up to 8 of its groups holding 7–15 digits
 * reads as a phone, the whole run is reported, so a neighbouring number cannot keep part of one.
 *
 * Not phones: a bare digit run without `+` or trunk `0` (order numbers, timestamps), dates and year
 * ranges, decimals, thousands-grouped amounts, dotted quads (IPs, found by their own detector), runs of
 * one- and two-digit groups (`12 34 56 78`, times), groups glued to letters (`SKU-1234567`, `12px`).
 */
export function findPhones(text: string): Detection[] {
  const found: Detection[] = []
  const groups = digitGroups(text).filter((group) => !gluedToWord(text, group))
  const runs = digitRuns(text, groups, MAX_GAP_CHARS, isPhoneGap)
  for (const run of runs) {
    const candidates = withoutDatesAndYears(text, run)
    if (!candidates.some((stretch) => holdsPhone(text, stretch))) continue
    const first = run[0]
    const last = run.at(-1)
    if (first && last) found.push({ detector: 'phone', start: prefixStart(text, first.start), end: last.end })
  }
  return found
}

/** A trunk-0 number right after `tel-` is still a number; `SKU-123…` is an identifier. */
function gluedToWord(text: string, group: DigitGroup): boolean {
  if (group.gluedAfter) return true
  if (!group.gluedBefore) return false
  return !(text.charAt(group.start - 1) === '-' && text.charAt(group.start) === '0')
}

function isPhoneGap(gap: string): boolean {
  return GAP_CHARS.test(gap) && (gap.match(STRONG_SEPARATORS)?.length ?? 0) <= 1
}

/** `+` or `(` (or `(+`) right before the first digit belong to the number. */
function prefixStart(text: string, start: number): number {
  let prefix = start
  while (prefix > start - 2 && (text.charAt(prefix - 1) === '+' || text.charAt(prefix - 1) === '(')) prefix--
  return prefix
}

/**
 * The run cut where dates (`2024-05-01`, `01.05.2024`, `05/01/2024`), adjacent years (`2019-2024`) and
 * dotted quads (IP addresses, which have their own detector) sit.
 */
function withoutDatesAndYears(text: string, run: ReadonlyArray<DigitGroup>): DigitGroup[][] {
  const excluded = new Set<number>()
  for (let index = 0; index < run.length; index++) {
    const width = isDottedQuadAt(text, run, index) ? 4 : isDateAt(text, run, index) ? 3 : 0
    for (let offset = 0; offset < width; offset++) excluded.add(index + offset)
    const group = run[index]
    const next = run[index + 1]
    if (group && next && isYear(text, group) && isYear(text, next)) excluded.add(index).add(index + 1)
  }
  const stretches: DigitGroup[][] = [[]]
  run.forEach((group, index) => {
    if (excluded.has(index)) stretches.push([])
    else stretches.at(-1)?.push(group)
  })
  return stretches.filter((stretch) => stretch.length > 0)
}

function isDateAt(text: string, run: ReadonlyArray<DigitGroup>, index: number): boolean {
  const [a, b, c] = [run[index], run[index + 1], run[index + 2]]
  if (!a || !b || !c) return false
  const gap = text.slice(a.end, b.start)
  if (!(gap === '.' || gap === '-' || gap === '/') || text.slice(b.end, c.start) !== gap) return false
  const dayOrMonth = (group: DigitGroup) => group.digits <= 2
  return (
    (isYear(text, a) && dayOrMonth(b) && dayOrMonth(c)) || (dayOrMonth(a) && dayOrMonth(b) && isYear(text, c))
  )
}

function isDottedQuadAt(text: string, run: ReadonlyArray<DigitGroup>, index: number): boolean {
  const quad = run.slice(index, index + 4)
  const gaps = quad.slice(1).map((group, offset) => text.slice(quad[offset]?.end ?? 0, group.start))
  const before = run[index - 1]
  const after = run[index + 4]
  // `01.23.45.67.89` is a French phone number, not a dotted quad with a tail.
  const dotBefore = before !== undefined && text.slice(before.end, quad[0]?.start) === '.'
  const dotAfter = after !== undefined && text.slice(quad[3]?.end, after.start) === '.'
  return !dotBefore && !dotAfter && isDottedQuad(quad, gaps)
}

function isYear(text: string, group: DigitGroup): boolean {
  if (group.digits !== 4) return false
  const year = Number(text.slice(group.start, group.end))
  return year >= MIN_YEAR && year <= MAX_YEAR
}

/** Whether some stretch of up to 8 consecutive groups with 7–15 digits reads as a phone number. */
function holdsPhone(text: string, stretch: ReadonlyArray<DigitGroup>): boolean {
  for (let first = 0; first < stretch.length; first++) {
    let digits = 0
    for (let last = first; last < Math.min(stretch.length, first + MAX_PHONE_GROUPS); last++) {
      digits += stretch[last]?.digits ?? 0
      if (digits > MAX_PHONE_DIGITS) break
      if (digits >= MIN_PHONE_DIGITS && readsAsPhone(text, stretch.slice(first, last + 1), digits))
        return true
    }
  }
  return false
}

function readsAsPhone(text: string, groups: ReadonlyArray<DigitGroup>, digits: number): boolean {
  const first = groups[0]
  if (!first) return false
  const international = text.charAt(first.start - 1) === '+' || text.startsWith('(+', first.start - 2)
  const leading = text.slice(first.start, first.start + 2)
  if (groups.length === 1) return international || (leading.charAt(0) === '0' && digits >= MIN_TRUNK_DIGITS)
  const gaps = groups.slice(1).map((group, index) => text.slice(groups[index]?.end ?? 0, group.start))
  const trunk = leading.charAt(0) === '0' && first.digits >= 2
  if (isDottedQuad(groups, gaps) || (isDecimal(groups, gaps) && !international && !trunk)) return false
  if (international || trunk) return true
  return !readsAsPlainNumber(groups, gaps)
}

/** `1299.99`, `0.1234567`; but `030.1234567` (a trunk 0 and an area code) is a phone. */
function isDecimal(groups: ReadonlyArray<DigitGroup>, gaps: ReadonlyArray<string>): boolean {
  return groups.length === 2 && gaps[0] === '.'
}

function isDottedQuad(groups: ReadonlyArray<DigitGroup>, gaps: ReadonlyArray<string>): boolean {
  return groups.length === 4 && gaps.every((gap) => gap === '.') && groups.every((group) => group.digits <= 3)
}

/** Thousands-grouped amounts (also with cents), and runs of short groups (`12 34 56`, `1 2 3`). */
function readsAsPlainNumber(groups: ReadonlyArray<DigitGroup>, gaps: ReadonlyArray<string>): boolean {
  if (groups.every((group) => group.digits <= 2)) return true
  if (groups.filter((group) => group.digits === 1).length > 1) return true
  const last = groups.at(-1)
  const withCents = gaps.at(-1) === '.' && last !== undefined && last.digits <= 2 && groups.length > 2
  const integerGroups = withCents ? groups.slice(0, -1) : groups
  const integerGaps = withCents ? gaps.slice(0, -1) : gaps
  return isThousandsGrouped(integerGroups, integerGaps)
}

function isThousandsGrouped(groups: ReadonlyArray<DigitGroup>, gaps: ReadonlyArray<string>): boolean {
  const [head, ...rest] = groups
  if (!head || head.digits > 3 || rest.length === 0) return false
  const separator = gaps[0]
  const uniform = gaps.every((gap) => gap === separator && (gap === '.' || gap === ' ' || gap === '\u00a0'))
  return uniform && rest.every((group) => group.digits === 3)
}
