/**
 * GA4 naming rules (vendors.md §1.3, §1.4): event and parameter names are at most 40 characters of
 * [A-Za-z0-9_] and start with a letter; some names and prefixes are reserved.
 */
export const GA4_MAX_NAME_CHARS = 40

/** Event names the Measurement Protocol and Firebase reserve (automatically collected `page_view` etc. stay allowed). */
const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  'ad_activeview',
  'ad_click',
  'ad_exposure',
  'ad_impression',
  'ad_query',
  'adunit_exposure',
  'app_clear_data',
  'app_install',
  'app_update',
  'app_remove',
  'error',
  'first_open',
  'first_visit',
  'in_app_purchase',
  'notification_dismiss',
  'notification_foreground',
  'notification_open',
  'notification_receive',
  'os_update',
  'screen_view',
  'session_start',
  'user_engagement',
  'ad_reward',
  'app_background',
  'app_exception',
  'app_store_refund',
  'app_store_subscription_cancel',
  'app_store_subscription_convert',
  'app_store_subscription_renew',
  'app_upgrade',
  'dynamic_link_app_open',
  'dynamic_link_app_update',
  'dynamic_link_first_open',
  'session_start_with_rollout',
])

/** `gtag.` cannot survive sanitising (no dots), but `gtag_` is kept out too so the intent stays obvious. */
const RESERVED_EVENT_PREFIXES = ['firebase_', 'ga_', 'google_', 'gtag_'] as const
const RESERVED_PARAM_PREFIXES = ['firebase_', 'ga_', 'google_'] as const
const RESERVED_PARAM_NAMES: ReadonlySet<string> = new Set(['firebase_conversion'])

/** Prefix that turns a reserved event name into a custom one: `session_start` → `custom_session_start`. */
const CUSTOM_EVENT_PREFIX = 'custom_'
/** A name that does not start with a letter gets this prefix: `404_seen` → `event_404_seen`. */
const LEADING_DIGIT_EVENT_PREFIX = 'event_'
const LEADING_DIGIT_PARAM_PREFIX = 'param_'
/** What an event whose name has no usable character is called. */
export const GA4_FALLBACK_EVENT_NAME = 'custom_event'

/**
 * snake_case over [a-z0-9_]: accents are folded (`é` → `e`), camelCase boundaries become `_`, every
 * other run of characters becomes one `_`, and leading/trailing `_` are dropped. May return ''.
 */
function toSnakeCase(raw: string): string {
  // Most keys (`plan`, `order_id`) are snake_case already, and the rule leaves them as they are.
  if (SNAKE_CASE.test(raw)) return raw
  return (
    raw
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      // `HTMLParser` → `HTML_Parser`; a look-ahead, because `([A-Z]+)([A-Z][a-z])` is quadratic on long capitals.
      .replace(/([A-Z])(?=[A-Z][a-z])/g, '$1_')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
  )
}

const SNAKE_CASE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/

function fitLength(name: string): string {
  return name.slice(0, GA4_MAX_NAME_CHARS).replace(/_+$/, '')
}

function startsWithAny(name: string, prefixes: ReadonlyArray<string>): boolean {
  return prefixes.some((prefix) => name.startsWith(prefix))
}

/**
 * A valid, unreserved GA4 event name for a site's event name. Rule: snake_case it (see toSnakeCase),
 * prefix `event_` when it starts with a digit, cut it to 40 characters, and prefix `custom_` when the
 * result is a reserved name or starts with a reserved prefix (then cut again). `Order Completed` →
 * `order_completed`, `session_start` → `custom_session_start`, `ga_click` → `custom_ga_click`.
 */
export function ga4EventName(raw: string): string {
  const snake = toSnakeCase(raw)
  if (snake === '') return GA4_FALLBACK_EVENT_NAME
  const startingWithLetter = /^[a-z]/.test(snake) ? snake : `${LEADING_DIGIT_EVENT_PREFIX}${snake}`
  const name = fitLength(startingWithLetter)
  const reserved = RESERVED_EVENT_NAMES.has(name) || startsWithAny(name, RESERVED_EVENT_PREFIXES)
  return reserved ? fitLength(`${CUSTOM_EVENT_PREFIX}${name}`) : name
}

/**
 * A valid GA4 parameter name for a property key, or null when GA4 reserves it (`google_`, `ga_`,
 * `firebase_` prefixes and `firebase_conversion`) or nothing usable is left: such properties are dropped.
 */
export function ga4ParamName(raw: string): string | null {
  const snake = toSnakeCase(raw)
  if (snake === '') return null
  const startingWithLetter = /^[a-z]/.test(snake) ? snake : `${LEADING_DIGIT_PARAM_PREFIX}${snake}`
  const name = fitLength(startingWithLetter)
  if (RESERVED_PARAM_NAMES.has(name) || startsWithAny(name, RESERVED_PARAM_PREFIXES)) return null
  return name
}
