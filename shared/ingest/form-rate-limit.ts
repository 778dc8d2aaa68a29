/** Form submissions one visitor may send to one form within the window. */
export const FORM_SUBMISSIONS_PER_WINDOW = 5
export const FORM_RATE_WINDOW_MS = 10 * 60 * 1000
/** Visitors remembered per instance; past this the oldest window is forgotten (bounded memory). */
export const FORM_RATE_MAX_TRACKED_KEYS = 10_000

export interface FormRateLimiter {
  /** Counts one submission under this key; false when the key has used up its window. */
  take(key: string, now: Date): boolean
}

/**
 * A fixed-window counter per key, in this instance's memory. Best effort by design: each Lambda
 * instance (and each restart) counts on its own, so a visitor can send at most
 * FORM_SUBMISSIONS_PER_WINDOW × instances per window. It stops a script hammering one form from one
 * visitor id or address, not a distributed flood (that is the API's throttling's job).
 */
export function inMemoryFormRateLimiter(
  limit = FORM_SUBMISSIONS_PER_WINDOW,
  windowMs = FORM_RATE_WINDOW_MS,
  maxKeys = FORM_RATE_MAX_TRACKED_KEYS,
): FormRateLimiter {
  const windows = new Map<string, { startedAt: number; count: number }>()
  return {
    take(key, now) {
      const at = now.getTime()
      const current = windows.get(key)
      if (current === undefined || at - current.startedAt >= windowMs) {
        windows.delete(key)
        if (windows.size >= maxKeys) {
          const oldest = windows.keys().next()
          if (!oldest.done) windows.delete(oldest.value)
        }
        windows.set(key, { startedAt: at, count: 1 })
        return true
      }
      if (current.count >= limit) return false
      current.count += 1
      return true
    },
  }
}
