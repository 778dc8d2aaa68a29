import ipaddr from 'ipaddr.js'
import { ConfigError } from '#shared/config/load.ts'
import type { Ga4Config } from '#shared/config/schema.ts'
import type { CoarseDevice, CollectedEvent, PropertyValue } from '#shared/events/model.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { classifyHttpResponse, type VendorAdapter } from './adapter.ts'
import { allowedUrl, DEFAULT_GA4_ALLOW_LIST, type Ga4AllowList } from './ga4-allow-list.ts'
import { ga4EventName, ga4ParamName } from './ga4-names.ts'
import type { PurposeByEvent } from './vendor.ts'

/** GA4 takes page views and tracked events for analytics; identify calls are never forwarded to it. */
export const GA4_PURPOSES: PurposeByEvent = { page: 'analytics', track: 'analytics' }

export const GA4_MAX_EVENTS_PER_REQUEST = 25
/** The Measurement Protocol wants a body under 130 kB; taking kB as 1000 bytes is the safe reading. */
export const GA4_MAX_BODY_BYTES = 130_000
/** One queued event may take at most this much of a request body, so any event fits a request alone. */
export const GA4_MAX_EVENT_BYTES = 64 * 1024
export const GA4_MAX_PARAMS_PER_EVENT = 25
export const GA4_MAX_PARAM_VALUE_CHARS = 100
export const GA4_MAX_PAGE_LOCATION_CHARS = 1000
export const GA4_MAX_PAGE_TITLE_CHARS = 300
export const GA4_MAX_PAGE_REFERRER_CHARS = 420
/** GA4 accepts events backdated by at most 72 hours. */
export const GA4_MAX_BACKDATE_MS = 72 * 60 * 60 * 1000
/** Kept off the 72 h edge so an event clamped now is still inside the window when GA4 receives it. */
const BACKDATE_SAFETY_MS = 60 * 1000
/** Without a client session id, events in the same 30 minutes share a session (GA4's default timeout). */
export const GA4_DERIVED_SESSION_MS = 30 * 60 * 1000
/** We cannot measure engagement server-side; 1 ms is the least that makes events show in Realtime. */
export const GA4_ENGAGEMENT_TIME_MSEC = 1
const MICROS_PER_MILLI = 1000
const MILLIS_PER_SECOND = 1000

const GA4_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
const consentSignal = z.enum(['GRANTED', 'DENIED'])
const paramValue = z.union([z.string().check(z.maxLength(GA4_MAX_PAGE_LOCATION_CHARS)), z.number()])
const nonEmpty = () => z.string().check(z.minLength(1))

/** What the collector queues for GA4: one event plus the request-level fields it must travel with. */
export const ga4PayloadSchema = z.strictObject({
  client_id: nonEmpty(),
  consent: z.strictObject({ ad_user_data: consentSignal, ad_personalization: consentSignal }),
  non_personalized_ads: z.boolean(),
  ip_override: z.optional(nonEmpty()),
  device: z.optional(
    z.strictObject({
      category: z.optional(nonEmpty()),
      browser: z.optional(nonEmpty()),
      operating_system: z.optional(nonEmpty()),
    }),
  ),
  event: z
    .strictObject({
      name: z.string().check(z.regex(GA4_NAME)),
      params: z
        .record(z.string().check(z.regex(GA4_NAME)), paramValue)
        .check(
          z.refine((params) => Object.keys(params).length <= GA4_MAX_PARAMS_PER_EVENT, 'too many params'),
        ),
      timestamp_micros: z.int().check(z.nonnegative()),
    })
    .check(z.refine((event) => byteLength(JSON.stringify(event)) <= GA4_MAX_EVENT_BYTES, 'event too large')),
})
export type Ga4Payload = z.infer<typeof ga4PayloadSchema>
type Ga4Params = Ga4Payload['event']['params']
type Ga4Device = NonNullable<Ga4Payload['device']>

export interface Ga4PayloadContext {
  /** The visitor's GA4 pseudonym (`ga4ClientId`), never the first-party id. */
  clientId: string
  /** Marketing is allowed for this event: drives GA4's two ad signals. */
  marketingAllowed: boolean
  /** The admin allows the truncated IP as `ip_override` for coarse geo. */
  sendTruncatedIp: boolean
  now: Date
  /** What GA4 may receive beyond the fixed fields; absent: the default (standard properties only). */
  allowList?: Ga4AllowList
}

/**
 * The minimised GA4 payload for an event, or null when GA4 takes nothing from it (identify). It carries
 * no user_id, user_data, visitor id or untruncated IP, and drops any value that looks like an e-mail
 * address even though the collector has scrubbed them already.
 */
export function toGa4Payload(event: CollectedEvent, context: Ga4PayloadContext): Ga4Payload | null {
  if (!GA4_PURPOSES[event.type]) return null
  const eventTimeMs = clampToGa4Window(Date.parse(event.timestamp), context.now)
  const allow = context.allowList ?? DEFAULT_GA4_ALLOW_LIST
  const fixedParams: Ga4Params = {
    session_id: sessionId(event.context.sessionId, eventTimeMs),
    engagement_time_msec: GA4_ENGAGEMENT_TIME_MSEC,
    ...pageParams(event.page, allow, context.marketingAllowed),
  }
  const params = event.type === 'track' ? withProperties(fixedParams, event.properties, allow) : fixedParams
  const signal = context.marketingAllowed ? 'GRANTED' : 'DENIED'
  const ipOverride = context.sendTruncatedIp ? truncatedIpOrNothing(event.context.ip) : undefined
  const device = ga4Device(event.context.device)
  return {
    client_id: context.clientId,
    consent: { ad_user_data: signal, ad_personalization: signal },
    non_personalized_ads: !context.marketingAllowed,
    ...(ipOverride ? { ip_override: ipOverride } : {}),
    ...(device ? { device } : {}),
    event: {
      name: event.type === 'page' ? 'page_view' : ga4EventName(event.name ?? ''),
      params,
      timestamp_micros: eventTimeMs * MICROS_PER_MILLI,
    },
  }
}

/** Into [now − 72 h (plus a safety minute), now]; an unreadable time counts as now. */
function clampToGa4Window(timeMs: number, now: Date): number {
  const nowMs = now.getTime()
  if (Number.isNaN(timeMs)) return nowMs
  return Math.min(nowMs, Math.max(nowMs - GA4_MAX_BACKDATE_MS + BACKDATE_SAFETY_MS, timeMs))
}

/**
 * The client's session id when it sent one; otherwise the start (Unix seconds, like gtag's session ids)
 * of the 30-minute bucket the event falls in, so a visitor's events in the same half hour share a session.
 */
function sessionId(clientSessionId: string | undefined, eventTimeMs: number): string | number {
  const fromClient = safeText(clientSessionId, GA4_MAX_PARAM_VALUE_CHARS)
  if (fromClient !== undefined) return fromClient
  const bucketStartMs = Math.floor(eventTimeMs / GA4_DERIVED_SESSION_MS) * GA4_DERIVED_SESSION_MS
  return bucketStartMs / MILLIS_PER_SECOND
}

/** Page URL and referrer keep only allowed parameters; the title goes only when the site forwards titles. */
function pageParams(page: CollectedEvent['page'], allow: Ga4AllowList, marketingAllowed: boolean): Ga4Params {
  const params: Ga4Params = {}
  const location = safeText(allowedUrl(page.url, allow, marketingAllowed), GA4_MAX_PAGE_LOCATION_CHARS)
  const title = allow.pageTitle ? safeText(page.title, GA4_MAX_PAGE_TITLE_CHARS) : undefined
  const referrer = safeText(allowedUrl(page.referrer, allow, marketingAllowed), GA4_MAX_PAGE_REFERRER_CHARS)
  if (location !== undefined) params.page_location = location
  if (title !== undefined) params.page_title = title
  if (referrer !== undefined) params.page_referrer = referrer
  return params
}

/**
 * Adds the event's allowed properties as params without overriding the fixed ones, up to GA4's 25 per
 * event. A property whose GA4 name the allow-list does not hold is dropped.
 */
function withProperties(
  fixed: Ga4Params,
  properties: Record<string, PropertyValue>,
  allow: Ga4AllowList,
): Ga4Params {
  const params: Ga4Params = { ...fixed }
  for (const [key, value] of Object.entries(properties)) {
    if (Object.keys(params).length >= GA4_MAX_PARAMS_PER_EVENT) break
    const name = ga4ParamName(key)
    if (name === null || !allow.properties.has(name) || Object.hasOwn(params, name)) continue
    const ga4Value = paramValueOf(value)
    if (ga4Value === undefined) continue
    params[name] = ga4Value
  }
  return params
}

/** GA4 params are strings or numbers: booleans become `'true'`/`'false'`; null and empty text are dropped. */
function paramValueOf(value: PropertyValue): string | number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'boolean') return String(value)
  if (value === null) return undefined
  return safeText(value, GA4_MAX_PARAM_VALUE_CHARS)
}

function ga4Device(device: CoarseDevice | null): Ga4Device | undefined {
  if (!device) return undefined
  const fields: Ga4Device = {}
  // GA4 knows desktop, mobile, tablet (and smart tv); `other` says nothing, so it is left out.
  if (device.category !== 'other') fields.category = device.category
  const browser = safeText(device.browser, GA4_MAX_PARAM_VALUE_CHARS)
  const operatingSystem = safeText(device.os, GA4_MAX_PARAM_VALUE_CHARS)
  if (browser !== undefined) fields.browser = browser
  if (operatingSystem !== undefined) fields.operating_system = operatingSystem
  return Object.keys(fields).length > 0 ? fields : undefined
}

/**
 * `x@y.z` inside a run of non-space characters. Written with one character on each side of the
 * at-sign (a longer match exists exactly when this one does), so each position is tried once: the
 * `[^\s@]+@[^\s@]+\.[^\s@]+` form re-reads the whole run from every start and is quadratic.
 */
const EMAIL_LIKE = /[^\s@]@[^\s@]+\.[^\s@]/

function looksEmailLike(value: string): boolean {
  return value.includes('@') && EMAIL_LIKE.test(value)
}

/** Text fit for GA4: absent when empty or e-mail-like, else cut to `maxChars` without splitting a surrogate pair. */
function safeText(value: string | undefined, maxChars: number): string | undefined {
  if (value === undefined || value === '' || looksEmailLike(value)) return undefined
  if (value.length <= maxChars) return value
  const cut = value.slice(0, maxChars)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

const IPV4_KEPT_BYTES = 3
const IPV6_KEPT_BYTES = 6

/**
 * The collector hands over IPs already truncated (IPv4 /24, IPv6 /48); this only makes sure that an
 * address that is not (a contract broken upstream) never reaches GA4.
 */
function truncatedIpOrNothing(ip: string | null): string | undefined {
  if (ip === null || ip.includes('%')) return undefined
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) {
    return isZeroAfter(ipaddr.IPv4.parse(ip).toByteArray(), IPV4_KEPT_BYTES) ? ip : undefined
  }
  if (!ipaddr.IPv6.isValid(ip)) return undefined
  const address = ipaddr.IPv6.parse(ip)
  const truncated = address.isIPv4MappedAddress()
    ? isZeroAfter(address.toIPv4Address().toByteArray(), IPV4_KEPT_BYTES)
    : isZeroAfter(address.toByteArray(), IPV6_KEPT_BYTES)
  return truncated ? ip : undefined
}

function isZeroAfter(bytes: ReadonlyArray<number>, keptBytes: number): boolean {
  return bytes.slice(keptBytes).every((byte) => byte === 0)
}

const GA4_HOSTS = {
  eu: 'https://region1.google-analytics.com',
  global: 'https://www.google-analytics.com',
} as const
const GA4_COLLECT_PATH = '/mp/collect'

export interface Ga4AdapterOptions {
  /** Replaces scheme and host (local runtime only, e.g. `http://127.0.0.1:9999`); path and query stay. */
  baseUrl?: string
  /** Send time, used to keep backdated events inside GA4's 72 h window after a wait in the queue. */
  now?: () => Date
}

/** GA4 over the Measurement Protocol: batches a visitor's events, ≤ 25 per request and < 130 kB. */
export function ga4Adapter(
  config: Ga4Config,
  apiSecret: string,
  options: Ga4AdapterOptions = {},
): VendorAdapter<Ga4Payload> {
  const origin = options.baseUrl ? new URL(options.baseUrl).origin : GA4_HOSTS[config.endpoint]
  const query = new URLSearchParams({ measurement_id: config.measurementId, api_secret: apiSecret })
  const url = `${origin}${GA4_COLLECT_PATH}?${query}`
  const now = options.now ?? (() => new Date())

  return {
    id: 'ga4',
    purposes: GA4_PURPOSES,
    timeoutMs: config.timeoutMs,
    parsePayload: (raw) => {
      const parsed = ga4PayloadSchema.safeParse(raw)
      return parsed.success ? parsed.data : null
    },
    narrow: (payload, optedIn) => (optedIn('marketing') ? payload : withAdSignalsDenied(payload)),
    buildRequests: (messages) => {
      const sendTime = now()
      return groupByRequestFields(messages).flatMap((group) =>
        packEvents(group, sendTime).map((batch) => ({
          vendor: 'ga4' as const,
          method: 'POST' as const,
          url,
          headers: { 'content-type': 'application/json' },
          body: batch.body,
          messageIds: batch.messageIds,
        })),
      )
    },
    // GA4 answers 2xx even to payloads it discards (vendors.md §1.12 rule 22): 2xx is receipt, not validity.
    classify: classifyHttpResponse,
  }
}

function withAdSignalsDenied(payload: Ga4Payload): Ga4Payload {
  return {
    ...payload,
    consent: { ad_user_data: 'DENIED', ad_personalization: 'DENIED' },
    non_personalized_ads: true,
  }
}

type QueuedGa4 = { messageId: string; payload: Ga4Payload }

/** Events can share a request only when everything outside `events` is identical. */
function groupByRequestFields(messages: ReadonlyArray<QueuedGa4>): QueuedGa4[][] {
  const groups = new Map<string, QueuedGa4[]>()
  for (const message of messages) {
    const { client_id, consent, non_personalized_ads, ip_override, device } = message.payload
    const key = JSON.stringify([
      client_id,
      consent.ad_user_data,
      consent.ad_personalization,
      non_personalized_ads,
      ip_override ?? null,
      device?.category ?? null,
      device?.browser ?? null,
      device?.operating_system ?? null,
    ])
    const group = groups.get(key)
    if (group) group.push(message)
    else groups.set(key, [message])
  }
  return [...groups.values()]
}

type Ga4Event = Ga4Payload['event']

/** Splits one group into request bodies within GA4's event count and size limits. */
function packEvents(
  group: ReadonlyArray<QueuedGa4>,
  sendTime: Date,
): Array<{ body: string; messageIds: string[] }> {
  const first = group[0]
  if (!first) return []
  const { event: _event, ...requestFields } = first.payload
  const emptyBodyBytes = byteLength(JSON.stringify({ ...requestFields, events: [] }))
  const batches: Array<{ events: Ga4Event[]; messageIds: string[]; bytes: number }> = []
  for (const { messageId, payload } of group) {
    const event = {
      ...payload.event,
      timestamp_micros: clampMicros(payload.event.timestamp_micros, sendTime),
    }
    const eventBytes = byteLength(JSON.stringify(event))
    const current = batches.at(-1)
    // JSON.stringify joins array items with one comma, so the body size is known without re-serialising.
    const fits =
      current !== undefined &&
      current.events.length < GA4_MAX_EVENTS_PER_REQUEST &&
      current.bytes + 1 + eventBytes < GA4_MAX_BODY_BYTES
    if (current && fits) {
      current.events.push(event)
      current.messageIds.push(messageId)
      current.bytes += 1 + eventBytes
    } else {
      batches.push({ events: [event], messageIds: [messageId], bytes: emptyBodyBytes + eventBytes })
    }
  }
  return batches.map((batch) => ({
    body: JSON.stringify({ ...requestFields, events: batch.events }),
    messageIds: batch.messageIds,
  }))
}

/** A queued event may have waited; keep it inside the window as GA4 sees it at send time. */
function clampMicros(timestampMicros: number, sendTime: Date): number {
  const nowMicros = sendTime.getTime() * MICROS_PER_MILLI
  const oldestMicros = (sendTime.getTime() - GA4_MAX_BACKDATE_MS + BACKDATE_SAFETY_MS) * MICROS_PER_MILLI
  return Math.min(nowMicros, Math.max(oldestMicros, timestampMicros))
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

const apiSecretJson = z.object({ apiSecret: nonEmpty() })

/** The GA4 API secret from its Secrets Manager value: JSON `{"apiSecret":"…"}`, or the bare secret. */
export function parseGa4ApiSecret(secretText: string): string {
  const trimmed = secretText.trim()
  if (!trimmed.startsWith('{')) return trimmed
  let json: unknown
  try {
    json = JSON.parse(trimmed)
  } catch (cause) {
    throw new ConfigError('GA4 API secret looks like JSON but does not parse', { cause })
  }
  const parsed = apiSecretJson.safeParse(json)
  if (!parsed.success) throw new ConfigError('GA4 API secret JSON must be {"apiSecret":"…"}')
  return parsed.data.apiSecret
}
