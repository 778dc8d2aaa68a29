import type { PropertyValue } from '#shared/events/model.ts'
import { containsPii, isSensitiveKey, looksLikeToken, REDACTED, redactPii } from './pii.ts'
import { scrubUrl } from './url.ts'

/** Keys that would reach an object's prototype if someone later copied the result carelessly. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
const ABSOLUTE_WEB_URL = /^https?:\/\//i

/**
 * Event properties safe to forward: flat values only (nested objects and arrays are not forwarded),
 * no key named like personal data or holding it, no token, URLs scrubbed, e-mails and phones redacted.
 */
export function scrubProperties(input: Record<string, unknown> | undefined): Record<string, PropertyValue> {
  if (!input) return {}
  const kept: Array<[string, PropertyValue]> = []
  for (const key of Object.keys(input)) {
    if (!isForwardableKey(key)) continue
    const value = scrubValue(input[key])
    if (value !== undefined) kept.push([key, value])
  }
  return Object.fromEntries(kept)
}

/** Page titles and similar prose: e-mails and phones redacted, trimmed, optionally cut to `maxLength`. */
export function scrubText(text: string | undefined, maxLength?: number): string | undefined {
  if (typeof text !== 'string') return undefined
  const scrubbed = redactedOrDropped(text).trim()
  const cut = maxLength === undefined ? scrubbed : cutAt(scrubbed, maxLength).trimEnd()
  return cut || undefined
}

function isForwardableKey(key: string): boolean {
  return !PROTOTYPE_KEYS.has(key) && !isSensitiveKey(key) && !containsPii(key) && !looksLikeToken(key)
}

function scrubValue(value: unknown): PropertyValue | undefined {
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value !== 'string') return undefined
  if (ABSOLUTE_WEB_URL.test(value.trim())) return scrubUrl(value.trim())
  if (looksLikeToken(value)) return undefined
  return redactedOrDropped(value)
}

/** Redaction works on the literal text; PII that only shows after percent-decoding costs the whole text. */
function redactedOrDropped(text: string): string {
  const redacted = redactPii(text)
  return containsPii(redacted) ? REDACTED : redacted
}

/** Cuts to `maxLength` UTF-16 units without leaving half of a surrogate pair behind. */
function cutAt(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text
  const cut = text.slice(0, Math.max(0, maxLength))
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}
