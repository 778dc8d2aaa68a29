import { isAsciiDigit, isAsciiLetter } from './detection.ts'

/** A maximal run of ASCII digits, with what touches it. */
export interface DigitGroup {
  start: number
  end: number
  digits: number
  /** A letter (or a letter and a hyphen) right before it: part of an identifier such as `SKU-123`. */
  gluedBefore: boolean
  /** A letter right after it: `123abc`, `12px`. */
  gluedAfter: boolean
}

/** Every maximal digit run in the text, in order, in one pass. */
export function digitGroups(text: string): DigitGroup[] {
  const groups: DigitGroup[] = []
  let index = 0
  while (index < text.length) {
    if (!isAsciiDigit(text.charCodeAt(index))) {
      index++
      continue
    }
    const start = index
    while (index < text.length && isAsciiDigit(text.charCodeAt(index))) index++
    const before = text.charCodeAt(start - 1)
    const hyphenAfterLetter = before === 0x2d && isAsciiLetter(text.charCodeAt(start - 2))
    groups.push({
      start,
      end: index,
      digits: index - start,
      gluedBefore: isAsciiLetter(before) || hyphenAfterLetter,
      gluedAfter: isAsciiLetter(text.charCodeAt(index)),
    })
  }
  return groups
}

/**
 * The groups split into runs: consecutive groups whose gap (the text between them) `joins` accepts.
 * A gap longer than `maxGapChars` is never read, so the whole split stays linear.
 */
export function digitRuns(
  text: string,
  groups: ReadonlyArray<DigitGroup>,
  maxGapChars: number,
  joins: (gap: string) => boolean,
): DigitGroup[][] {
  const runs: DigitGroup[][] = []
  let current: DigitGroup[] = []
  for (const group of groups) {
    const previous = current.at(-1)
    const joined =
      previous !== undefined &&
      group.start - previous.end <= maxGapChars &&
      joins(text.slice(previous.end, group.start))
    if (!joined && current.length > 0) {
      runs.push(current)
      current = []
    }
    current.push(group)
  }
  if (current.length > 0) runs.push(current)
  return runs
}

export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let index = digits.length - 1; index >= 0; index--) {
    let value = digits.charCodeAt(index) - 0x30
    if (double) {
      value *= 2
      if (value > 9) value -= 9
    }
    sum += value
    double = !double
  }
  return sum % 10 === 0
}
