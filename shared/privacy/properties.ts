import type { PropertyValue } from '#shared/events/model.ts'
import { isSensitiveKey } from './pii.ts'
import { type TextScreen, textScreen } from './text-screen.ts'
import { scrubUrl } from './url.ts'

/** Keys that would reach an object's prototype if someone later copied the result carelessly. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
const ABSOLUTE_WEB_URL = /^https?:\/\//i
/** Integers from here on have enough digits to be a phone or card number and are screened as text. */
const SMALLEST_SCREENED_INTEGER = 1_000_000

/**
 * Event properties safe to forward: flat values only (nested objects and arrays are not forwarded, so
 * nothing at a deeper level leaves), no key named like personal data or holding it, URLs scrubbed part
 * by part, and any other value the PII policy finds something in removed whole (`screen` records why).
 */
export function scrubProperties(
  input: Record<string, unknown> | undefined,
  screen: TextScreen = textScreen([]),
  /** isSensitiveKey, or a memo of it shared by a request's events. */
  sensitiveKey: (name: string) => boolean = isSensitiveKey,
): Record<string, PropertyValue> {
  if (!input) return {}
  // Plain assignment defines own properties: keys that could reach the prototype never get here.
  const kept: Record<string, PropertyValue> = {}
  for (const key of Object.keys(input)) {
    if (PROTOTYPE_KEYS.has(key)) continue
    if (sensitiveKey(key)) {
      screen.dropNamed('propertyKey', 'properties')
      continue
    }
    const keptKey = screen.keep('propertyKey', 'properties', key)
    if (keptKey === undefined || PROTOTYPE_KEYS.has(keptKey)) continue
    const value = scrubValue(input[key], screen, `properties.${keptKey}`)
    if (value !== undefined) kept[keptKey] = value
  }
  return kept
}

/** Page titles and similar prose: each hit replaced by the marker, trimmed, optionally cut to `maxLength`. */
export function scrubText(
  text: string | undefined,
  maxLength?: number,
  screen: TextScreen = textScreen([]),
  field = 'context.page.title',
): string | undefined {
  if (typeof text !== 'string') return undefined
  const scrubbed = (screen.keep('title', field, text) ?? '').trim()
  const cut = maxLength === undefined ? scrubbed : cutAt(scrubbed, maxLength).trimEnd()
  return cut || undefined
}

function scrubValue(value: unknown, screen: TextScreen, field: string): PropertyValue | undefined {
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') return scrubNumber(value, screen, field)
  if (typeof value !== 'string') return undefined
  if (ABSOLUTE_WEB_URL.test(value.trim())) return scrubUrl(value.trim(), screen, field)
  return screen.keep('propertyValue', field, value)
}

/** A phone or card number sent as a JSON number is still one. */
function scrubNumber(value: number, screen: TextScreen, field: string): number | undefined {
  if (!Number.isFinite(value)) return undefined
  if (!Number.isInteger(value) || Math.abs(value) < SMALLEST_SCREENED_INTEGER) return value
  return screen.keep('propertyValue', field, String(value)) === undefined ? undefined : value
}

/** Cuts to `maxLength` UTF-16 units without leaving half of a surrogate pair behind. */
function cutAt(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text
  const cut = text.slice(0, Math.max(0, maxLength))
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}
