import ipaddr from 'ipaddr.js'
import type { CoarseDevice, CollectedEvent, PropertyValue } from '#shared/events/model.ts'
import { newSessionId } from '#shared/identity/first-party-cookies.ts'
import type { PerRequestMemo } from '#shared/lib/memoize.ts'
import type { PurposeByEvent } from '../contract.ts'
import { allowedUrl, DEFAULT_GA4_ALLOW_LIST, type Ga4AllowList } from './allow-list.ts'
import {
  BACKDATE_SAFETY_MS,
  GA4_ENGAGEMENT_TIME_MSEC,
  GA4_MAX_BACKDATE_MS,
  GA4_MAX_PAGE_LOCATION_CHARS,
  GA4_MAX_PAGE_REFERRER_CHARS,
  GA4_MAX_PAGE_TITLE_CHARS,
  GA4_MAX_PARAM_VALUE_CHARS,
  GA4_MAX_PARAMS_PER_EVENT,
  MICROS_PER_MILLI,
} from './limits.ts'
import { ga4EventName, ga4ParamName } from './names.ts'
import type { Ga4Device, Ga4Params, Ga4Payload } from './payload.ts'

/** GA4 takes page views and tracked events for analytics; identify calls are never forwarded to it. */
export const GA4_PURPOSES: PurposeByEvent = { page: 'analytics', track: 'analytics' }

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
  /** Told of each field the allow-list leaves out (for the decision trace); never given a value. */
  dropped?: (field: string, reason: string) => void
  /** Memoizes the mapping's pure steps for one request (names, URLs, device); absent: none kept. */
  perRequest?: PerRequestMemo
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
  const dropped = context.dropped ?? ignoreDrop
  const memo = context.perRequest ?? computeEachTime
  const params = sessionParams(event.context)
  params.engagement_time_msec = GA4_ENGAGEMENT_TIME_MSEC
  addPageParams(params, event.page, allow, context.marketingAllowed, dropped, memo)
  if (event.type === 'track') addProperties(params, event.properties, allow, dropped, memo(ga4ParamName))
  const signal = context.marketingAllowed ? 'GRANTED' : 'DENIED'
  const ipOverride = context.sendTruncatedIp ? truncatedIpOrNothing(event.context.ip) : undefined
  const device = memo(ga4Device)(event.context.device)
  return {
    client_id: context.clientId,
    consent: { ad_user_data: signal, ad_personalization: signal },
    non_personalized_ads: !context.marketingAllowed,
    ...(ipOverride ? { ip_override: ipOverride } : {}),
    ...(device ? { device } : {}),
    event: {
      name: event.type === 'page' ? 'page_view' : memo(ga4EventName)(event.name ?? ''),
      params,
      timestamp_micros: eventTimeMs * MICROS_PER_MILLI,
    },
  }
}

type Dropped = (field: string, reason: string) => void
const ignoreDrop: Dropped = () => {}
const computeEachTime: PerRequestMemo = (compute) => compute

/** Into [now − 72 h (plus a safety minute), now]; an unreadable time counts as now. */
function clampToGa4Window(timeMs: number, now: Date): number {
  const nowMs = now.getTime()
  if (Number.isNaN(timeMs)) return nowMs
  return Math.min(nowMs, Math.max(nowMs - GA4_MAX_BACKDATE_MS + BACKDATE_SAFETY_MS, timeMs))
}

/**
 * `session_id`: the client's own (RudderStack's `context.sessionId`) when it sent one, else the
 * collector's session (cookie or kept per visitor, random ids), with its `session_number`. An event
 * without either (built outside the collector) gets an id of its own, never a clock value that
 * other visitors would share. (`ga_session_number` is GA4's export name; `ga_` params are reserved.)
 */
function sessionParams(context: CollectedEvent['context']): Ga4Params {
  const fromClient = safeText(context.sessionId, GA4_MAX_PARAM_VALUE_CHARS)
  if (fromClient !== undefined) return { session_id: fromClient }
  if (context.session) return { session_id: context.session.id, session_number: context.session.number }
  return { session_id: newSessionId() }
}

/** A page URL as GA4 may take it, and the names of the query parameters left out of it. */
interface KeptUrl {
  url: string | undefined
  droppedNames: ReadonlyArray<string>
}

type KeptUrlOf = (url: string | undefined) => KeptUrl

/** Per allow-list, pure functions of the URL alone (so a request can memoize them): by field, by marketing. */
const keptUrlFunctions = new WeakMap<Ga4AllowList, Record<'location' | 'referrer', [KeptUrlOf, KeptUrlOf]>>()

function keptUrlOf(
  allow: Ga4AllowList,
  field: 'location' | 'referrer',
  marketingAllowed: boolean,
): KeptUrlOf {
  let functions = keptUrlFunctions.get(allow)
  if (!functions) {
    const keeper =
      (maxChars: number, marketing: boolean): KeptUrlOf =>
      (url) => {
        const droppedNames: string[] = []
        const kept = allowedUrl(url, allow, marketing, (name) => droppedNames.push(name))
        return { url: safeText(kept, maxChars), droppedNames }
      }
    functions = {
      location: [keeper(GA4_MAX_PAGE_LOCATION_CHARS, false), keeper(GA4_MAX_PAGE_LOCATION_CHARS, true)],
      referrer: [keeper(GA4_MAX_PAGE_REFERRER_CHARS, false), keeper(GA4_MAX_PAGE_REFERRER_CHARS, true)],
    }
    keptUrlFunctions.set(allow, functions)
  }
  return functions[field][marketingAllowed ? 1 : 0]
}

function keptUrl(
  url: string | undefined,
  kept: KeptUrlOf,
  field: string,
  dropped: Dropped,
): string | undefined {
  const { url: allowed, droppedNames } = kept(url)
  for (const name of droppedNames) dropped(`${field}?${name}`, 'query parameter not in GA4 allowedUrlParams')
  return allowed
}

/** Page URL and referrer keep only allowed parameters; the title goes only when the site forwards titles. */
function addPageParams(
  params: Ga4Params,
  page: CollectedEvent['page'],
  allow: Ga4AllowList,
  marketingAllowed: boolean,
  dropped: Dropped,
  memo: PerRequestMemo,
): void {
  const location = keptUrl(
    page.url,
    memo(keptUrlOf(allow, 'location', marketingAllowed)),
    'context.page.url',
    dropped,
  )
  if (page.title !== undefined && !allow.pageTitle)
    dropped('context.page.title', 'GA4 forwardPageTitle is off (titles are free text)')
  const title = allow.pageTitle ? safeText(page.title, GA4_MAX_PAGE_TITLE_CHARS) : undefined
  const referrer = keptUrl(
    page.referrer,
    memo(keptUrlOf(allow, 'referrer', marketingAllowed)),
    'context.page.referrer',
    dropped,
  )
  if (location !== undefined) params.page_location = location
  if (title !== undefined) params.page_title = title
  if (referrer !== undefined) params.page_referrer = referrer
}

/**
 * Adds the event's allowed properties as params without overriding the fixed ones, up to GA4's 25 per
 * event. A property whose GA4 name the allow-list does not hold is dropped.
 */
function addProperties(
  params: Ga4Params,
  properties: Record<string, PropertyValue>,
  allow: Ga4AllowList,
  dropped: Dropped,
  paramName: typeof ga4ParamName,
): void {
  let count = Object.keys(params).length
  for (const [key, value] of Object.entries(properties)) {
    if (count >= GA4_MAX_PARAMS_PER_EVENT) {
      dropped(`properties.${key}`, `GA4 takes at most ${GA4_MAX_PARAMS_PER_EVENT} params per event`)
      continue
    }
    const name = paramName(key)
    if (name === null || !allow.properties.has(name)) {
      dropped(`properties.${key}`, 'not in GA4 forwardProperties')
      continue
    }
    if (Object.hasOwn(params, name)) continue
    const ga4Value = paramValueOf(value)
    if (ga4Value === undefined) continue
    params[name] = ga4Value
    count++
  }
}

/** GA4 params are strings or numbers: booleans become `'true'`/`'false'`; null and empty text are dropped. */
function paramValueOf(value: PropertyValue): string | number | undefined {
  // `+ 0` turns -0 into 0: JSON has no -0, so a queued payload must not hold one.
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : undefined
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
