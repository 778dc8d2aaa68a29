/**
 * One calendar month after `at` (GDPR Art. 12(3)), the same time of day; a day the next month lacks
 * becomes its last (31 January → 28 or 29 February).
 */
export function oneMonthAfter(at: Date): Date {
  const year = at.getUTCFullYear()
  const month = at.getUTCMonth() + 1
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const deadline = new Date(at.getTime())
  deadline.setUTCDate(1)
  deadline.setUTCFullYear(year, month, Math.min(at.getUTCDate(), lastDay))
  return deadline
}
