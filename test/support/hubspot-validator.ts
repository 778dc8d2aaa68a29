import ipaddr from 'ipaddr.js'
import type { VendorRequest } from '#shared/delivery/http.ts'

/**
 * A strict, independent check of HubSpot requests: vendors.md §4.5 rules 1–11, written from the doc
 * and sharing no code with shared/vendors/hubspot/ so the two cannot agree by sharing a mistake.
 * Covers the Events API batch/single send and the Forms API v3 submit. Proxy policies the doc names
 * are enforced: a `utk` on every event (rule 10), a truncated `context.ipAddress` (§7.3 rule 4),
 * processing consent given (rule 7). UNCONFIRMED facts (the `hutk` format) are not failures.
 */
export interface HubspotValidatorOptions {
  /** Accept this origin instead of HubSpot's (a capture server in tests). */
  allowOrigin?: string
  /** The configured form definition's field names (rule 3). */
  formFields?: ReadonlyArray<string>
}

const FORMS_URL =
  /^https:\/\/api\.hsforms\.com\/submissions\/v3\/integration\/(secure\/)?submit\/\d+\/[0-9a-f-]{36}$/
const FORMS_PATH = /^\/submissions\/v3\/integration\/(secure\/)?submit\/\d+\/[0-9a-f-]{36}$/
const EVENTS_ORIGIN = 'https://api.hubapi.com'
const EVENTS_SINGLE_PATH = '/events/v3/send'
const EVENTS_BATCH_PATH = '/events/v3/send/batch'
const FORM_KEYS = new Set(['fields', 'submittedAt', 'context', 'legalConsentOptions', 'skipValidation'])
const CONTEXT_KEYS = new Set([
  'hutk',
  'ipAddress',
  'pageName',
  'pageUri',
  'pageId',
  'sfdcCampaignId',
  'goToWebinarWebinarKey',
])
const EVENT_KEYS = new Set(['eventName', 'properties', 'email', 'utk', 'objectId', 'occurredAt', 'uuid'])
const MAX_FIELDS = 1000
const MAX_PROPERTIES = 50
const MAX_VALUE = 50
const MAX_URL_VALUE = 200
const MAX_BATCH = 500
const FUTURE_TOLERANCE_MS = 60_000
const EVENT_NAME = /^pe\d+_[a-z0-9_]+$/
const PROPERTY_KEY = /^[a-z][a-z0-9_]{0,49}$/
const OBJECT_TYPE = /^\d+-\d+$/
const EPOCH_MS = /^\d{13}$/
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const LEGAL_BASES = new Set(['CUSTOMER', 'LEAD'])

type Json = Record<string, unknown>
type Fail = (rule: number, message: string) => void
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== ''

/** Every violated rule of vendors.md §4.5, each starting with `rule N:`; empty when the request passes. */
export function hubspotRequestViolations(
  request: VendorRequest,
  now: Date,
  options: HubspotValidatorOptions = {},
): string[] {
  const problems: string[] = []
  const fail: Fail = (rule, message) => problems.push(`rule ${rule}: ${message}`)
  if (request.method !== 'POST') fail(1, `method is ${request.method}`)
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    fail(1, 'URL does not parse')
    return problems
  }
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch {
    fail(2, 'body is not JSON')
    return problems
  }
  const onCapture = options.allowOrigin !== undefined && url.origin === options.allowOrigin
  if (url.hostname === 'api.hsforms.com' || (onCapture && url.pathname.startsWith('/submissions/'))) {
    checkFormTransport(request, url, onCapture, fail)
    checkForm(body, now, options, fail)
  } else {
    checkEventsTransport(request, url, onCapture, fail)
    checkEvents(body, url.pathname === EVENTS_SINGLE_PATH, fail)
  }
  return problems
}

function authorization(request: VendorRequest): string | undefined {
  const entry = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'authorization')
  return entry?.[1]
}

function checkFormTransport(request: VendorRequest, url: URL, onCapture: boolean, fail: Fail): void {
  const matches = onCapture ? FORMS_PATH.test(url.pathname) && url.search === '' : FORMS_URL.test(request.url)
  if (!matches) fail(1, `form URL ${request.url} is not a Forms API v3 submit URL`)
  const secure = url.pathname.includes('/secure/')
  const auth = authorization(request)
  if (secure && !(auth?.startsWith('Bearer ') && auth.length > 'Bearer '.length)) {
    fail(1, 'secure submit without Authorization: Bearer')
  }
  if (!secure && auth !== undefined) fail(1, 'unauthenticated submit carries Authorization')
}

function checkForm(body: unknown, now: Date, options: HubspotValidatorOptions, fail: Fail): void {
  if (!isObject(body)) {
    fail(2, 'form body is not a JSON object')
    return
  }
  for (const key of Object.keys(body)) if (!FORM_KEYS.has(key)) fail(2, `unknown form key ${key}`)
  const fields = body.fields
  if (!Array.isArray(fields) || fields.length < 1 || fields.length > MAX_FIELDS) {
    fail(3, `fields is not an array of 1 to ${MAX_FIELDS} entries`)
  } else {
    for (const [index, field] of fields.entries()) {
      if (!isObject(field) || !nonEmptyString(field.name) || typeof field.value !== 'string') {
        fail(3, `fields[${index}] lacks a non-empty name or a string value`)
        continue
      }
      if (field.objectTypeId !== undefined) {
        if (typeof field.objectTypeId !== 'string' || !OBJECT_TYPE.test(field.objectTypeId)) {
          fail(3, `fields[${index}].objectTypeId is malformed`)
        }
      }
      if (options.formFields && !options.formFields.includes(field.name)) {
        fail(3, `field ${field.name} is not in the form definition`)
      }
    }
  }
  if (body.submittedAt !== undefined) {
    const text = typeof body.submittedAt === 'number' ? String(body.submittedAt) : body.submittedAt
    if (typeof text !== 'string' || !EPOCH_MS.test(text)) fail(4, 'submittedAt is not 13-digit epoch ms')
    else if (Number(text) > now.getTime() + FUTURE_TOLERANCE_MS) fail(4, 'submittedAt is in the future')
  }
  if (body.context !== undefined) checkFormContext(body.context, fail)
  if (body.legalConsentOptions !== undefined) checkLegalConsent(body.legalConsentOptions, fail)
  if (body.skipValidation !== undefined && typeof body.skipValidation !== 'boolean') {
    fail(2, 'skipValidation is not a boolean')
  }
}

function checkFormContext(context: unknown, fail: Fail): void {
  if (!isObject(context)) {
    fail(5, 'context is not an object')
    return
  }
  for (const key of Object.keys(context)) if (!CONTEXT_KEYS.has(key)) fail(5, `unknown context key ${key}`)
  if (context.pageUri !== undefined) {
    const uri = context.pageUri
    if (typeof uri !== 'string' || !URL.canParse(uri)) fail(5, 'pageUri is not an absolute URL')
  }
  if (context.hutk !== undefined && typeof context.hutk !== 'string') fail(5, 'hutk is not a string')
  if (context.ipAddress !== undefined && !isTruncatedIp(context.ipAddress)) {
    fail(5, 'ipAddress is not a truncated IP')
  }
}

/** vendors.md §7.3: IPv4 with the last octet zero, IPv6 with the low 80 bits zero (mapped IPv4 as IPv4). */
function isTruncatedIp(value: unknown): boolean {
  if (typeof value !== 'string' || !ipaddr.isValid(value)) return false
  const parsed = ipaddr.parse(value)
  if (parsed.kind() === 'ipv4') return parsed.toByteArray()[3] === 0
  const v6 = ipaddr.IPv6.parse(value)
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toByteArray()[3] === 0
  return v6
    .toByteArray()
    .slice(6)
    .every((byte) => byte === 0)
}

function checkLegalConsent(options: unknown, fail: Fail): void {
  if (!isObject(options)) {
    fail(6, 'legalConsentOptions is not an object')
    return
  }
  const keys = Object.keys(options)
  if (keys.length !== 1 || !(keys[0] === 'consent' || keys[0] === 'legitimateInterest')) {
    fail(6, 'legalConsentOptions must have exactly one of consent or legitimateInterest')
  }
  const consent = options.consent
  if (consent !== undefined) {
    if (
      !isObject(consent) ||
      typeof consent.consentToProcess !== 'boolean' ||
      !nonEmptyString(consent.text)
    ) {
      fail(6, 'consent needs a boolean consentToProcess and a non-empty text')
    } else if (consent.consentToProcess !== true) {
      fail(7, 'submitted without processing consent')
    }
    const communications = isObject(consent) ? consent.communications : undefined
    if (communications !== undefined) {
      if (!Array.isArray(communications)) fail(6, 'communications is not an array')
      else {
        const ids = new Set<unknown>()
        for (const [index, item] of communications.entries()) {
          const valid =
            isObject(item) &&
            typeof item.value === 'boolean' &&
            Number.isInteger(item.subscriptionTypeId) &&
            nonEmptyString(item.text)
          if (!valid) fail(6, `communications[${index}] needs value, integer subscriptionTypeId and text`)
          const id = isObject(item) ? item.subscriptionTypeId : undefined
          if (ids.has(id)) fail(6, `communications[${index}] repeats subscriptionTypeId`)
          ids.add(id)
        }
      }
    }
  }
  const interest = options.legitimateInterest
  if (interest !== undefined) {
    const valid =
      isObject(interest) &&
      interest.value === true &&
      Number.isInteger(interest.subscriptionTypeId) &&
      typeof interest.legalBasis === 'string' &&
      LEGAL_BASES.has(interest.legalBasis) &&
      nonEmptyString(interest.text)
    if (!valid) fail(6, 'legitimateInterest needs value true, subscriptionTypeId, legalBasis and text')
  }
}

function checkEventsTransport(request: VendorRequest, url: URL, onCapture: boolean, fail: Fail): void {
  if (url.origin !== EVENTS_ORIGIN && !onCapture) fail(8, `origin ${url.origin} is not ${EVENTS_ORIGIN}`)
  if (url.pathname !== EVENTS_SINGLE_PATH && url.pathname !== EVENTS_BATCH_PATH) {
    fail(8, `path ${url.pathname} is not an Events API v3 send path`)
  }
  if (url.search !== '') fail(8, 'event send URL carries a query')
  const auth = authorization(request)
  if (!(auth?.startsWith('Bearer ') && auth.length > 'Bearer '.length)) fail(8, 'no Authorization: Bearer')
}

function checkEvents(body: unknown, single: boolean, fail: Fail): void {
  if (single) {
    checkEvent(body, 'event', fail)
    return
  }
  if (!isObject(body)) {
    fail(11, 'batch body is not an object')
    return
  }
  for (const key of Object.keys(body)) if (key !== 'inputs') fail(11, `unknown batch key ${key}`)
  const inputs = body.inputs
  if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > MAX_BATCH) {
    fail(11, `inputs is not an array of 1 to ${MAX_BATCH} events`)
    return
  }
  for (const [index, event] of inputs.entries()) checkEvent(event, `inputs[${index}]`, fail)
}

function checkEvent(event: unknown, at: string, fail: Fail): void {
  if (!isObject(event)) {
    fail(9, `${at} is not an object`)
    return
  }
  for (const key of Object.keys(event)) if (!EVENT_KEYS.has(key)) fail(9, `${at} has unknown key ${key}`)
  if (typeof event.eventName !== 'string' || !EVENT_NAME.test(event.eventName)) {
    fail(9, `${at}.eventName is not pe<portal>_<name>`)
  }
  const properties = event.properties
  if (!isObject(properties)) fail(9, `${at}.properties is not an object`)
  else {
    const entries = Object.entries(properties)
    if (entries.length > MAX_PROPERTIES) fail(9, `${at} has more than ${MAX_PROPERTIES} properties`)
    for (const [key, value] of entries) {
      if (!PROPERTY_KEY.test(key)) fail(9, `${at}.properties key ${key} is not a HubSpot internal name`)
      if (typeof value !== 'string') fail(9, `${at}.properties.${key} is not a string`)
      else if (value.length > (isUrl(value) ? MAX_URL_VALUE : MAX_VALUE)) {
        fail(9, `${at}.properties.${key} is too long`)
      }
    }
  }
  if (event.occurredAt !== undefined) {
    const at2 = event.occurredAt
    if (typeof at2 !== 'string' || !ISO_UTC.test(at2) || Number.isNaN(Date.parse(at2))) {
      fail(9, `${at}.occurredAt is not an ISO-8601 UTC date-time`)
    }
  }
  if (event.uuid !== undefined && (typeof event.uuid !== 'string' || !UUID.test(event.uuid))) {
    fail(9, `${at}.uuid is not a UUID`)
  }
  if (event.uuid === undefined) fail(9, `${at} has no uuid: retries would not be idempotent`)
  const tied = ['email', 'utk', 'objectId'].some((key) => nonEmptyString(event[key]))
  if (!tied) fail(10, `${at} has none of email, utk or objectId`)
}

function isUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === 'http:' || protocol === 'https:'
}
