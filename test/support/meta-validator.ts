import { createHash } from 'node:crypto'
import ipaddr from 'ipaddr.js'
import type { VendorRequest } from '#shared/delivery/http.ts'

/**
 * A strict, independent check of Meta Conversions API requests: vendors.md §2.7 rules 1–14, written
 * from the doc and sharing no code with shared/vendors/meta/ so the two cannot agree by sharing a
 * mistake. Proxy policies the doc names are enforced: `event_id` always set, no `test_event_code` in
 * production, and (privacy requirements) a `client_ip_address` only in truncated form.
 */
export interface MetaValidatorOptions {
  /** Judge as production configuration: `test_event_code` must be absent (rule 3). */
  production?: boolean
  /** Accept this origin instead of https://graph.facebook.com (a capture server in tests). */
  allowOrigin?: string
  /**
   * Normalised plain text per hashed key (`{ em: 'john_smith@gmail.com' }`): every event must carry
   * its SHA-256 under that key (rule 12).
   */
  expectedHashesOf?: Partial<Record<HashedKey, string>>
}

const GRAPH_ORIGIN = 'https://graph.facebook.com'
const EVENTS_PATH = /^\/v\d+\.0\/\d+\/events$/
const ALLOWED_QUERY = new Set(['access_token', 'appsecret_proof'])
const TOP_LEVEL_KEYS = new Set(['data', 'test_event_code', 'partner_agent', 'namespace_id', 'access_token'])
const MAX_EVENTS = 1000
const SECONDS_PER_DAY = 86_400
const MAX_AGE_SECONDS = 7 * SECONDS_PER_DAY
const MAX_FUTURE_SECONDS = 60
const ACTION_SOURCES = new Set([
  'website',
  'app',
  'chat',
  'email',
  'other',
  'phone_call',
  'physical_store',
  'system_generated',
])
const HASHED_KEYS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'] as const
export type HashedKey = (typeof HASHED_KEYS)[number]
const PLAIN_KEYS = [
  'client_ip_address',
  'client_user_agent',
  'fbc',
  'fbp',
  'subscription_id',
  'fb_login_id',
  'lead_id',
  'madid',
  'anon_id',
  'ctwa_clid',
  'page_id',
]
const USER_DATA_KEYS = new Set<string>([...HASHED_KEYS, ...PLAIN_KEYS])
const HEX_SHA256 = /^[a-f0-9]{64}$/
const FBC = /^fb\.\d+\.\d{13}\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/
const FBP = /^fb\.\d+\.\d{13}\.\d+(\.[A-Za-z0-9_-]+)?$/
const ISO_4217 = /^[A-Z]{3}$/
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'))

/** The three test vectors of vendors.md §2.3 / §2.7 rule 12: normalised plain text → SHA-256. */
export const META_HASH_VECTORS = {
  em: ['john_smith@gmail.com', '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'],
  ph: ['16505551212', 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176'],
  fn: ['mary', '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec'],
} as const

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

type Json = Record<string, unknown>
type Fail = (rule: number, message: string) => void
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every violated rule of vendors.md §2.7 (1–14), each starting with `rule N:`; empty when the request passes. */
export function metaRequestViolations(
  request: VendorRequest,
  now: Date,
  options: MetaValidatorOptions = {},
): string[] {
  const problems: string[] = []
  const fail: Fail = (rule, message) => problems.push(`rule ${rule}: ${message}`)
  checkTransport(request, options, fail)
  const body = parseBody(request, fail)
  if (body === null) return problems
  for (const key of Object.keys(body)) if (!TOP_LEVEL_KEYS.has(key)) fail(2, `unknown top-level key ${key}`)
  const data = body.data
  if (!Array.isArray(data) || data.length < 1 || data.length > MAX_EVENTS) {
    fail(2, `data is not an array of 1 to ${MAX_EVENTS} events`)
  }
  if ('test_event_code' in body) {
    if (typeof body.test_event_code !== 'string' || body.test_event_code === '') {
      fail(3, 'test_event_code is not a non-empty string')
    }
    if (options.production) fail(3, 'test_event_code present in production')
  }
  if (Array.isArray(data)) {
    for (const [index, event] of data.entries()) checkEvent(event, `data[${index}]`, now, options, fail)
  }
  return problems
}

function checkTransport(request: VendorRequest, options: MetaValidatorOptions, fail: Fail): void {
  if (request.method !== 'POST') fail(1, `method is ${request.method}`)
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    fail(1, 'URL does not parse')
    return
  }
  if (url.origin !== GRAPH_ORIGIN && url.origin !== options.allowOrigin) {
    fail(1, `origin ${url.origin} is not ${GRAPH_ORIGIN}`)
  }
  if (!EVENTS_PATH.test(url.pathname)) fail(1, `path ${url.pathname} is not /vNN.0/<pixel id>/events`)
  if (!url.searchParams.get('access_token')) fail(1, 'access_token missing or empty')
  for (const name of url.searchParams.keys()) if (!ALLOWED_QUERY.has(name)) fail(1, `query has ${name}`)
  if (url.hash !== '') fail(1, 'URL has a fragment')
}

/** JSON, or form-encoded with `data` as a JSON string (rule 2). */
function parseBody(request: VendorRequest, fail: Fail): Json | null {
  const contentType = Object.entries(request.headers)
    .find(([name]) => name.toLowerCase() === 'content-type')?.[1]
    ?.split(';')[0]
    ?.trim()
    .toLowerCase()
  try {
    if (contentType === 'application/json') {
      const body: unknown = JSON.parse(request.body)
      if (isObject(body)) return body
      fail(2, 'body is not a JSON object')
      return null
    }
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(request.body)
      const fields: Json = Object.fromEntries(form)
      fields.data = JSON.parse(form.get('data') ?? '')
      return fields
    }
  } catch {
    fail(2, 'body (or its data field) is not JSON')
    return null
  }
  fail(2, `Content-Type is ${contentType ?? 'missing'}, neither JSON nor form-encoded`)
  return null
}

function checkEvent(event: unknown, at: string, now: Date, options: MetaValidatorOptions, fail: Fail): void {
  if (!isObject(event)) {
    fail(4, `${at} is not an object`)
    return
  }
  if (typeof event.event_name !== 'string' || event.event_name === '') fail(4, `${at}.event_name missing`)
  if (!isObject(event.user_data)) fail(4, `${at}.user_data is not an object`)
  if (typeof event.action_source !== 'string') fail(4, `${at}.action_source is not a string`)
  checkEventTime(event.event_time, at, now, fail)
  if (typeof event.action_source === 'string' && !ACTION_SOURCES.has(event.action_source)) {
    fail(6, `${at}.action_source ${event.action_source} is not one of Meta's`)
  }
  const userData = isObject(event.user_data) ? event.user_data : {}
  if (event.action_source === 'website') {
    if (!isAbsoluteHttpUrl(event.event_source_url)) fail(7, `${at}.event_source_url is not an http(s) URL`)
    if (typeof userData.client_user_agent !== 'string' || userData.client_user_agent === '') {
      fail(7, `${at}.user_data.client_user_agent missing`)
    }
  }
  if (typeof event.event_id !== 'string' || event.event_id === '') {
    fail(8, `${at}.event_id is not a non-empty string (proxy policy: always set)`)
  }
  if (isObject(event.user_data)) checkUserData(userData, `${at}.user_data`, options, fail)
  checkDataProcessing(event, at, fail)
  checkCustomData(event.custom_data, `${at}.custom_data`, fail)
}

function checkEventTime(value: unknown, at: string, now: Date, fail: Fail): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(4, `${at}.event_time is not an integer`)
    return
  }
  if (String(value).length !== 10) fail(5, `${at}.event_time ${value} is not 10-digit Unix seconds`)
  const nowSeconds = Math.floor(now.getTime() / 1000)
  if (value < nowSeconds - MAX_AGE_SECONDS) fail(5, `${at}.event_time is more than 7 days in the past`)
  if (value > nowSeconds + MAX_FUTURE_SECONDS) fail(5, `${at}.event_time is more than 60 s in the future`)
}

function isAbsoluteHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

function checkUserData(userData: Json, at: string, options: MetaValidatorOptions, fail: Fail): void {
  const keys = Object.keys(userData)
  if (!keys.some((key) => USER_DATA_KEYS.has(key))) fail(9, `${at} has no identifier of §2.3`)
  for (const key of keys) if (!USER_DATA_KEYS.has(key)) fail(9, `${at}.${key} is not a §2.3 key`)
  for (const key of HASHED_KEYS) {
    if (!(key in userData)) continue
    const value = userData[key]
    const values = Array.isArray(value) ? value : [value]
    if (values.length === 0) fail(10, `${at}.${key} is an empty list`)
    for (const item of values) {
      if (typeof item !== 'string' || !HEX_SHA256.test(item)) {
        fail(10, `${at}.${key} holds a value that is not a lowercase hex SHA-256`)
      }
    }
  }
  for (const key of ['client_ip_address', 'client_user_agent', 'fbc', 'fbp']) {
    const value = userData[key]
    if (value === undefined) continue
    if (typeof value !== 'string') fail(11, `${at}.${key} is not a string`)
    else if (HEX_SHA256.test(value)) fail(11, `${at}.${key} is hashed, but Meta takes it in plain text`)
  }
  const ip = userData.client_ip_address
  if (typeof ip === 'string') {
    if (!ipaddr.isValid(ip)) fail(11, `${at}.client_ip_address does not parse as an IP`)
    else if (!isTruncated(ip)) fail(11, `${at}.client_ip_address is not truncated (privacy policy)`)
  }
  if (typeof userData.fbc === 'string' && !FBC.test(userData.fbc)) fail(11, `${at}.fbc is malformed`)
  if (typeof userData.fbp === 'string' && !FBP.test(userData.fbp)) fail(11, `${at}.fbp is malformed`)
  for (const [key, plain] of Object.entries(options.expectedHashesOf ?? {})) {
    const value = userData[key]
    const values = Array.isArray(value) ? value : [value]
    if (plain !== undefined && !values.includes(sha256Hex(plain))) {
      fail(12, `${at}.${key} does not hold the SHA-256 of the expected normalised value`)
    }
  }
}

/** IPv4 with the last octet 0 (/24), IPv6 with the low 80 bits 0 (/48); IPv4-mapped judged as IPv4. */
function isTruncated(text: string): boolean {
  const address = ipaddr.parse(text)
  if (address.kind() === 'ipv4') return address.toByteArray()[3] === 0
  const v6 = ipaddr.IPv6.parse(text)
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().octets[3] === 0
  return v6
    .toByteArray()
    .slice(6)
    .every((byte) => byte === 0)
}

function checkDataProcessing(event: Json, at: string, fail: Fail): void {
  if (!('data_processing_options' in event)) return
  const options = event.data_processing_options
  const isEmpty = Array.isArray(options) && options.length === 0
  const isLdu = Array.isArray(options) && options.length === 1 && options[0] === 'LDU'
  if (!isEmpty && !isLdu) fail(13, `${at}.data_processing_options is neither [] nor ["LDU"]`)
  if (!isLdu) return
  const country = event.data_processing_options_country
  const state = event.data_processing_options_state
  if (!Number.isInteger(country) || !Number.isInteger(state)) {
    fail(13, `${at} has LDU without integer data_processing_options_country and _state`)
  } else if (!((country === 0 && state === 0) || country === 1)) {
    fail(13, `${at} LDU geography is neither 0/0 nor 1/<state>`)
  }
}

function checkCustomData(customData: unknown, at: string, fail: Fail): void {
  if (customData === undefined) return
  if (!isObject(customData)) {
    fail(14, `${at} is not an object`)
    return
  }
  if ('currency' in customData) {
    const { currency } = customData
    if (typeof currency !== 'string' || !ISO_4217.test(currency) || !KNOWN_CURRENCIES.has(currency)) {
      fail(14, `${at}.currency is not an ISO 4217 code`)
    }
  }
  if ('value' in customData) {
    const { value } = customData
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      fail(14, `${at}.value is not a number ≥ 0`)
  }
}
