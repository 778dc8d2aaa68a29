import type { Purpose, Purposes } from '#shared/consent/model.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { lazy } from '#shared/lib/lazy.ts'

/** Segment consent categories (matched case-insensitively) and the purpose each one speaks for. */
const PURPOSE_BY_CATEGORY: ReadonlyMap<string, Purpose> = new Map([
  ['analytics', 'analytics'],
  ['statistics', 'analytics'],
  ['performance', 'analytics'],
  ['marketing', 'marketing'],
  ['advertising', 'marketing'],
  ['ads', 'marketing'],
  ['targeting', 'marketing'],
])

// Built on first use: most events carry no consent signal, and cold start should not build schemas.
const consentContextSchema = lazy(() =>
  z.object({
    consent: z.looseObject({ categoryPreferences: z.optional(z.record(z.string(), z.unknown())) }),
  }),
)

/**
 * Consent flags carried inside an event: Segment's `context.consent.categoryPreferences` and the plain
 * `context.consent.{analytics,marketing}` form (which accepts the same category names). Only boolean
 * values count; unknown categories are ignored. Event consent can only narrow
 * stored consent, so when several categories speak for one purpose, a single `false` wins.
 * Returns undefined when the event carries no usable signal.
 */
export function eventConsent(context: unknown): Partial<Purposes> | undefined {
  // The schema refuses a context without `consent` (the common case): answered without it.
  if (typeof context !== 'object' || context === null || !('consent' in context)) return undefined
  if (context.consent === undefined || context.consent === null) return undefined
  const parsed = consentContextSchema().safeParse(context)
  if (!parsed.success) return undefined
  const { categoryPreferences = {}, ...plainFlags } = parsed.data.consent

  const signals: Partial<Purposes> = {}
  for (const [category, value] of [...Object.entries(categoryPreferences), ...Object.entries(plainFlags)]) {
    const purpose = PURPOSE_BY_CATEGORY.get(category.toLowerCase())
    if (!purpose || typeof value !== 'boolean') continue
    signals[purpose] = (signals[purpose] ?? true) && value
  }
  return Object.keys(signals).length > 0 ? signals : undefined
}
