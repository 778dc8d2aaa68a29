import type { Detection } from './detection.ts'
import { type DigitGroup, digitGroups, digitRuns, luhnValid } from './digit-groups.ts'

/** ISO/IEC 7812 primary account numbers are 13 to 19 digits long. */
export const MIN_CARD_DIGITS = 13
const MAX_CARD_DIGITS = 19
/** A card is written compact or in groups (4-4-4-4, Amex 4-6-5, 19 digits 4-4-4-4-3). */
const MAX_CARD_GROUPS = 5
/**
 * Payment networks issue from major industry identifiers 2–6 (Mastercard 2/5, Amex and Diners 3, Visa 4,
 * Maestro 5/6, Discover and UnionPay 6). A run starting with 1 (millisecond timestamps) is not a card.
 */
const CARD_FIRST_DIGITS = '23456'

/**
 * Payment card numbers: 13–19 digits, compact or grouped by single spaces or dashes, passing the Luhn
 * check, issued by a payment network (first digit 2–6). A longer digit run is not a card. Letters around the number do not matter (`cc4111…`).
 */
export function findCards(text: string): Detection[] {
  const found: Detection[] = []
  const runs = digitRuns(text, digitGroups(text), 1, (gap) => gap === ' ' || gap === '-')
  for (const run of runs) {
    let first = 0
    while (first < run.length) {
      const last = longestCardFrom(text, run, first)
      if (last === undefined) {
        first++
        continue
      }
      const start = run[first]?.start ?? 0
      const end = run[last]?.end ?? start
      // Overlapping finds are merged by the caller; moving on by one group keeps a neighbour from hiding a card.
      found.push({ detector: 'card', start, end })
      first++
    }
  }
  return found
}

function longestCardFrom(text: string, run: ReadonlyArray<DigitGroup>, first: number): number | undefined {
  let digits = 0
  let best: number | undefined
  const lastCandidate = Math.min(run.length, first + MAX_CARD_GROUPS)
  for (let last = first; last < lastCandidate; last++) {
    digits += run[last]?.digits ?? 0
    if (digits > MAX_CARD_DIGITS) break
    if (digits < MIN_CARD_DIGITS) continue
    const number = digitsBetween(text, run, first, last)
    if (CARD_FIRST_DIGITS.includes(number.charAt(0)) && luhnValid(number)) best = last
  }
  return best
}

function digitsBetween(text: string, run: ReadonlyArray<DigitGroup>, first: number, last: number): string {
  let digits = ''
  for (let index = first; index <= last; index++) {
    const group = run[index]
    if (group) digits += text.slice(group.start, group.end)
  }
  return digits
}
