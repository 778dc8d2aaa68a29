import { META_MAX_EVENT_NAME_CHARS } from './limits.ts'
import { META_STANDARD_EVENTS, type MetaStandardEvent } from './standard-events.ts'

/** What a track event whose name has no usable character is called. */
export const META_FALLBACK_EVENT_NAME = 'CustomEvent'
/** Marks a site's name that spells a standard event: only the admin's map may make a standard event. */
const CUSTOM_PREFIX = 'custom_'
const STANDARD_LOWER: ReadonlySet<string> = new Set(META_STANDARD_EVENTS.map((name) => name.toLowerCase()))

/**
 * The Meta event name of a track event: the standard event the admin mapped its name to, or else a
 * custom name. Rule for custom names: accents folded, every run of characters other than ASCII
 * letters, digits, `_`, `-` and space becomes one `_`, ends trimmed, cut to 50 characters; a name
 * that spells a standard event (any case) gets the prefix `custom_`, so an unmapped `Purchase`
 * cannot count as a purchase. `Order Completed` → `Order Completed`, `Köln/Bonn!` → `Koln_Bonn`.
 */
export function metaTrackEventName(
  trackName: string | undefined,
  eventNames: Readonly<Record<string, MetaStandardEvent>>,
): string {
  const raw = trackName ?? ''
  const mapped = Object.hasOwn(eventNames, raw) ? eventNames[raw] : undefined
  if (mapped !== undefined) return mapped
  const custom = fitLength(
    raw
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9_ -]+/g, '_'),
  )
  if (custom === '') return META_FALLBACK_EVENT_NAME
  return STANDARD_LOWER.has(custom.toLowerCase()) ? fitLength(`${CUSTOM_PREFIX}${custom}`) : custom
}

/** Cut to Meta's length and trim `_`, `-` and spaces at both ends. */
function fitLength(name: string): string {
  return trimEnds(trimEnds(name).slice(0, META_MAX_EVENT_NAME_CHARS))
}

const TRIMMED: ReadonlySet<string> = new Set(['_', '-', ' '])

/** A loop, not `/[_ -]+$/`: that regex retries from every position of a long run and is quadratic. */
function trimEnds(name: string): string {
  let start = 0
  let end = name.length
  while (start < end && TRIMMED.has(name.charAt(start))) start += 1
  while (end > start && TRIMMED.has(name.charAt(end - 1))) end -= 1
  return name.slice(start, end)
}
