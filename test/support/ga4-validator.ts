import ipaddr from 'ipaddr.js'

/**
 * A strict, independent check of GA4 Measurement Protocol requests: vendors.md §1.12 rules 1–20.
 * GA4 answers 2xx to anything, so tests must judge requests themselves. The reserved lists are copied
 * from vendors.md §1.4 on purpose rather than imported from the mapper, so the two cannot agree by
 * sharing a mistake. UNCONFIRMED facts the proxy adopts as policy (measurement id characters,
 * engagement_time_msec ≥ 1, 60 s clock skew) are enforced.
 */
export interface Ga4RequestUnderTest {
  method: string
  /** Full URL; or, as a server receives it, path and query with the host in the Host header. */
  url: string
  headers: Readonly<Record<string, string | string[] | undefined>>
  body: string
}

export interface Ga4ValidatorOptions {
  /** The time the request is judged at (default: now). */
  now?: Date
  /** Accept `http://127.0.0.1:<any port>` as the host (the TAGWARDEN_VENDOR_BASE_URL override in tests). */
  allowLoopbackHost?: boolean
  /** Accept this exact `host:port` over http, e.g. a capture server's. */
  allowHost?: string
}

const GA4_HOSTS = ['www.google-analytics.com', 'region1.google-analytics.com']
const GA4_PATHS = ['/mp/collect', '/debug/mp/collect']
const TOP_LEVEL_KEYS = new Set([
  'client_id',
  'user_id',
  'timestamp_micros',
  'user_properties',
  'user_data',
  'consent',
  'non_personalized_ads',
  'user_location',
  'ip_override',
  'device',
  'validation_behavior',
  'events',
])
const RESERVED_EVENT_NAMES = new Set([
  // Measurement Protocol
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
  // Firebase
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
const RESERVED_EVENT_PREFIXES = ['firebase_', 'ga_', 'google_', 'gtag.']
const RESERVED_PARAM_PREFIXES = ['google_', 'ga_', 'firebase_']
const RESERVED_USER_PROPERTIES = new Set([
  'first_open_time',
  'first_visit_time',
  'last_deep_link_referrer',
  'user_id',
  'first_open_after_install',
])
const STANDARD_ITEM_KEYS = new Set([
  'item_id',
  'item_name',
  'affiliation',
  'coupon',
  'discount',
  'index',
  'item_brand',
  'item_category',
  'item_category2',
  'item_category3',
  'item_category4',
  'item_category5',
  'item_list_id',
  'item_list_name',
  'item_variant',
  'location_id',
  'price',
  'quantity',
])
const LONG_PARAM_LIMITS: Readonly<Record<string, number>> = {
  page_title: 300,
  page_referrer: 420,
  page_location: 1000,
}
const DEVICE_KEYS = new Set([
  'category',
  'language',
  'screen_resolution',
  'operating_system',
  'operating_system_version',
  'model',
  'brand',
  'browser',
  'browser_version',
])
const USER_LOCATION_KEYS = new Set(['city', 'region_id', 'country_id', 'subcontinent_id', 'continent_id'])
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
const USER_PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_]{0,23}$/
const MAX_EVENTS = 25
const MAX_PARAMS = 25
const MAX_USER_PROPERTIES = 25
const MAX_PARAM_VALUE_CHARS = 100
const MAX_USER_PROPERTY_VALUE_CHARS = 36
const MAX_CUSTOM_ITEM_PARAMS = 10
const MAX_USER_ID_CHARS = 256
const MAX_BODY_BYTES = 130_000
const MAX_BACKDATE_MICROS = 72 * 60 * 60 * 1_000_000
const MAX_CLOCK_SKEW_MICROS = 60 * 1_000_000
const CURRENT_MICROS_DIGITS = 16

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every violated rule of vendors.md §1.12 (1–20), each starting with `rule N:`; empty when the request passes. */
export function validateGa4Request(
  request: Ga4RequestUnderTest,
  nowOrOptions: Date | Ga4ValidatorOptions = {},
  moreOptions: Ga4ValidatorOptions = {},
): string[] {
  const options = nowOrOptions instanceof Date ? { ...moreOptions, now: nowOrOptions } : nowOrOptions
  const now = options.now ?? new Date()
  const problems: string[] = []
  const fail = (rule: number, message: string) => problems.push(`rule ${rule}: ${message}`)

  checkTransport(request, options, fail)
  const contentType = headerValue(request.headers, 'content-type')
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    fail(3, `Content-Type is ${contentType ?? 'missing'}, not application/json`)
  }
  if (Buffer.byteLength(request.body, 'utf8') >= MAX_BODY_BYTES)
    fail(20, `body is not < ${MAX_BODY_BYTES} bytes`)
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch {
    fail(3, 'body is not JSON')
    return problems
  }
  if (!isObject(body)) {
    fail(3, 'body is not a JSON object')
    return problems
  }

  if (typeof body.client_id !== 'string' || body.client_id === '') fail(4, 'client_id missing or empty')
  if ('app_instance_id' in body) fail(4, 'app_instance_id present')
  for (const key of Object.keys(body)) if (!TOP_LEVEL_KEYS.has(key)) fail(5, `unknown top-level key ${key}`)
  checkEvents(body.events, now, fail)
  checkUserProperties(body.user_properties, now, fail)
  if ('user_id' in body) {
    const userId = body.user_id
    if (typeof userId !== 'string' || userId === '' || userId.length > MAX_USER_ID_CHARS) {
      fail(13, 'user_id is not a non-empty string of ≤ 256 characters')
    }
    fail(13, 'user_id present (proxy policy: absent)')
  }
  if ('timestamp_micros' in body) checkTimestamp(body.timestamp_micros, 'timestamp_micros', now, fail)
  checkConsent(body, fail)
  checkStringObject(body.device, DEVICE_KEYS, 'device', 17, fail)
  checkStringObject(body.user_location, USER_LOCATION_KEYS, 'user_location', 17, fail)
  if ('ip_override' in body && !isTruncatedIp(body.ip_override)) fail(18, 'ip_override is not a truncated IP')
  if ('user_data' in body) fail(19, 'user_data present')
  return problems
}

type Fail = (rule: number, message: string) => void

function checkTransport(request: Ga4RequestUnderTest, options: Ga4ValidatorOptions, fail: Fail): void {
  if (request.method !== 'POST') fail(1, `method is ${request.method}`)
  let url: URL
  try {
    const host = headerValue(request.headers, 'host')
    url = request.url.startsWith('/') && host ? new URL(request.url, `http://${host}`) : new URL(request.url)
  } catch {
    fail(1, 'URL does not parse')
    return
  }
  const plainHttp = url.protocol === 'http:'
  const loopback =
    plainHttp &&
    ((options.allowLoopbackHost === true && url.hostname === '127.0.0.1') || url.host === options.allowHost)
  const google = url.protocol === 'https:' && GA4_HOSTS.includes(url.hostname) && url.port === ''
  if (!loopback && !google) fail(1, `host ${url.protocol}//${url.host} is not a GA4 endpoint`)
  if (!GA4_PATHS.includes(url.pathname))
    fail(1, `path ${url.pathname} is not /mp/collect or /debug/mp/collect`)
  const apiSecret = url.searchParams.get('api_secret')
  if (!apiSecret) fail(2, 'api_secret missing or empty')
  if (!/^G-[A-Z0-9]+$/.test(url.searchParams.get('measurement_id') ?? ''))
    fail(2, 'measurement_id missing or malformed')
  if (url.searchParams.has('firebase_app_id')) fail(2, 'firebase_app_id present')
}

function checkEvents(events: unknown, now: Date, fail: Fail): void {
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_EVENTS) {
    fail(6, 'events is not an array of 1 to 25 items')
    return
  }
  events.forEach((event: unknown, index) => {
    const at = `events[${index}]`
    if (!isObject(event)) {
      fail(7, `${at} is not an object`)
      return
    }
    checkEventName(event.name, at, fail)
    if ('timestamp_micros' in event)
      checkTimestamp(event.timestamp_micros, `${at}.timestamp_micros`, now, fail)
    const params = event.params ?? {}
    if (!isObject(params)) {
      fail(8, `${at}.params is not an object`)
      return
    }
    checkParams(params, at, fail)
  })
}

function checkEventName(name: unknown, at: string, fail: Fail): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    fail(7, `${at}.name ${JSON.stringify(name)} is not a valid name`)
    return
  }
  const lower = name.toLowerCase()
  if (RESERVED_EVENT_PREFIXES.some((prefix) => lower.startsWith(prefix)))
    fail(7, `${at}.name ${name} has a reserved prefix`)
  if (RESERVED_EVENT_NAMES.has(lower)) fail(7, `${at}.name ${name} is reserved`)
}

function checkParams(params: Json, at: string, fail: Fail): void {
  const keys = Object.keys(params)
  if (keys.length > MAX_PARAMS) fail(8, `${at}.params has ${keys.length} keys`)
  for (const key of keys) {
    const value = params[key]
    if (!NAME.test(key)) fail(8, `${at}.params key ${JSON.stringify(key)} is not a valid name`)
    if (RESERVED_PARAM_PREFIXES.some((prefix) => key.toLowerCase().startsWith(prefix))) {
      fail(8, `${at}.params.${key} has a reserved prefix`)
    }
    if (key === 'firebase_conversion') fail(8, `${at}.params.firebase_conversion is reserved`)
    if (key === 'items') {
      checkItems(value, at, fail)
      continue
    }
    if (typeof value === 'string') {
      const limit = LONG_PARAM_LIMITS[key] ?? MAX_PARAM_VALUE_CHARS
      if (value.length > limit) fail(9, `${at}.params.${key} is longer than ${limit} characters`)
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail(9, `${at}.params.${key} is neither a string nor a number`)
    }
  }
  const sessionId = params.session_id
  if (!((typeof sessionId === 'string' && sessionId !== '') || typeof sessionId === 'number')) {
    fail(11, `${at}.params.session_id missing`)
  }
  const engagement = params.engagement_time_msec
  if (typeof engagement !== 'number' || !Number.isInteger(engagement) || engagement < 1) {
    fail(11, `${at}.params.engagement_time_msec is not an integer ≥ 1`)
  }
}

function checkItems(items: unknown, at: string, fail: Fail): void {
  if (!Array.isArray(items) || !items.every(isObject)) {
    fail(10, `${at}.params.items is not an array of objects`)
    return
  }
  items.forEach((item: Json, index) => {
    const custom = Object.keys(item).filter((key) => !STANDARD_ITEM_KEYS.has(key))
    if (custom.length > MAX_CUSTOM_ITEM_PARAMS)
      fail(10, `${at}.params.items[${index}] has ${custom.length} custom keys`)
    for (const [key, value] of Object.entries(item)) {
      if (typeof value === 'string' && value.length > MAX_PARAM_VALUE_CHARS) {
        fail(10, `${at}.params.items[${index}].${key} is longer than 100 characters`)
      }
    }
  })
}

function checkUserProperties(userProperties: unknown, now: Date, fail: Fail): void {
  if (userProperties === undefined) return
  if (!isObject(userProperties)) {
    fail(12, 'user_properties is not an object')
    return
  }
  const entries = Object.entries(userProperties)
  if (entries.length > MAX_USER_PROPERTIES) fail(12, `user_properties has ${entries.length} entries`)
  for (const [name, property] of entries) {
    const lower = name.toLowerCase()
    const reserved =
      RESERVED_USER_PROPERTIES.has(lower) || RESERVED_PARAM_PREFIXES.some((p) => lower.startsWith(p))
    if (!USER_PROPERTY_NAME.test(name) || reserved)
      fail(12, `user property name ${JSON.stringify(name)} not allowed`)
    const value = isObject(property) ? property.value : undefined
    const validValue =
      (typeof value === 'string' && value.length <= MAX_USER_PROPERTY_VALUE_CHARS) ||
      typeof value === 'number'
    if (!validValue) fail(12, `user property ${name} has no valid value`)
    if (isObject(property) && 'timestamp_micros' in property) {
      checkTimestamp(property.timestamp_micros, `user_properties.${name}.timestamp_micros`, now, fail)
    }
  }
}

function checkTimestamp(value: unknown, at: string, now: Date, fail: Fail): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(14, `${at} is not an integer`)
    return
  }
  if (String(Math.abs(value)).length !== CURRENT_MICROS_DIGITS) fail(14, `${at} is not in microseconds`)
  const nowMicros = now.getTime() * 1000
  if (value < nowMicros - MAX_BACKDATE_MICROS) fail(14, `${at} is more than 72 h in the past`)
  if (value > nowMicros + MAX_CLOCK_SKEW_MICROS) fail(14, `${at} is in the future`)
}

function checkConsent(body: Json, fail: Fail): void {
  const { consent } = body
  if (consent !== undefined) {
    if (!isObject(consent)) fail(15, 'consent is not an object')
    else {
      for (const [key, value] of Object.entries(consent)) {
        if (key !== 'ad_user_data' && key !== 'ad_personalization')
          fail(15, `consent.${key} is not an MP consent key`)
        if (value !== 'GRANTED' && value !== 'DENIED') fail(15, `consent.${key} is not GRANTED or DENIED`)
      }
    }
  }
  if ('non_personalized_ads' in body) {
    if (typeof body.non_personalized_ads !== 'boolean') fail(16, 'non_personalized_ads is not a boolean')
    if (isObject(consent) && consent.ad_personalization === 'DENIED' && body.non_personalized_ads !== true) {
      fail(16, 'non_personalized_ads is not true although ad_personalization is DENIED')
    }
  }
}

function checkStringObject(
  value: unknown,
  keys: ReadonlySet<string>,
  at: string,
  rule: number,
  fail: Fail,
): void {
  if (value === undefined) return
  if (!isObject(value)) {
    fail(rule, `${at} is not an object`)
    return
  }
  for (const [key, field] of Object.entries(value)) {
    if (!keys.has(key)) fail(rule, `${at}.${key} is not allowed`)
    if (typeof field !== 'string') fail(rule, `${at}.${key} is not a string`)
  }
}

/** IPv4 with the last octet 0, IPv6 with the low 80 bits 0 (an IPv4-mapped address judged as IPv4). */
function isTruncatedIp(value: unknown): boolean {
  if (typeof value !== 'string' || value.includes('%')) return false
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value).octets[3] === 0
  if (!ipaddr.IPv6.isValid(value)) return false
  const address = ipaddr.IPv6.parse(value)
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().octets[3] === 0
  return address
    .toByteArray()
    .slice(6)
    .every((byte) => byte === 0)
}

function headerValue(headers: Ga4RequestUnderTest['headers'], name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)
  const value = entry?.[1]
  return Array.isArray(value) ? value.join(', ') : value
}
