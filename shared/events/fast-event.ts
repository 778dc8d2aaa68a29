import { regexes } from 'zod/v4/core'
import { eventConsent } from './consent-signals.ts'
import {
  MAX_BATCH_EVENTS,
  MAX_EVENT_NAME_LENGTH,
  MAX_LOCALE_LENGTH,
  MAX_MESSAGE_ID_LENGTH,
  MAX_PAGE_FIELD_LENGTH,
  MAX_SESSION_ID_LENGTH,
  MAX_USER_AGENT_LENGTH,
  MAX_VISITOR_ID_LENGTH,
  MAX_WRITE_KEY_LENGTH,
} from './limits.ts'
import type { BatchEnvelope, PageFacts, RawEvent } from './schema.ts'

/**
 * The schemas of schema.ts written out by hand for input they accept: what a valid event of the common
 * shape parses to, without zod's per-field machinery. Anything the fast path is not sure of (an
 * invalid value, an unusual object) makes it answer undefined, and the schema decides, with zod's
 * error messages. test/unit/events/schema-fast-path.test.ts holds both to the same answers.
 */

type RawContext = NonNullable<RawEvent['context']>

/** Marks a value the fast path leaves to the schema. */
const UNSURE = Symbol('unsure')
type Unsure = typeof UNSURE

type JsonObject = Record<string, unknown>

/** The same pattern `z.iso.datetime({ offset: true })` checks. */
const ISO_DATE_TIME = regexes.datetime({ offset: true })

/** A plain object literal (what JSON.parse builds), with no key that zod treats specially. */
export function isPlainRecord(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    !Object.hasOwn(value, '__proto__') &&
    !Object.hasOwn(value, 'constructor')
  )
}

const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null

function optionalText(value: unknown, maxLength: number): string | undefined | Unsure {
  if (isAbsent(value)) return undefined
  return typeof value === 'string' && value.length <= maxLength ? value : UNSURE
}

function stringId(value: unknown, maxLength: number): string | undefined | Unsure {
  const id = optionalText(value, maxLength)
  return id === '' ? undefined : id
}

function stringOrNumberId(value: unknown, maxLength: number): string | undefined | Unsure {
  if (typeof value === 'number') return Number.isFinite(value) ? stringId(String(value), maxLength) : UNSURE
  return stringId(value, maxLength)
}

function optionalTimestamp(value: unknown): string | undefined | Unsure {
  if (isAbsent(value)) return undefined
  if (typeof value !== 'string') return UNSURE
  // Clients mostly send what toISOString writes: that form is its own normal form, kept as it is.
  if (isCanonicalIsoTime(value)) return value
  if (!ISO_DATE_TIME.test(value)) return UNSURE
  // `new Date(text)` parses exactly as Date.parse does: one parse serves the check and the result.
  const time = Date.parse(value)
  return Number.isNaN(time) ? UNSURE : new Date(time).toISOString()
}

const CANONICAL_ISO_CHARS = 24
const CANONICAL_ISO_SEPARATORS: ReadonlyArray<readonly [number, number]> = [
  [4, 0x2d], // -
  [7, 0x2d],
  [10, 0x54], // T
  [13, 0x3a], // :
  [16, 0x3a],
  [19, 0x2e], // .
  [23, 0x5a], // Z
]

/** The decimal number in `text` from `start` to `end`, or -1 when a character there is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let number = 0
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - 0x30
    if (digit < 0 || digit > 9) return -1
    number = number * 10 + digit
  }
  return number
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real instant: exactly what `new Date(text).toISOString()` gives
 * back unchanged, checked in one pass without parsing.
 */
export function isCanonicalIsoTime(text: string): boolean {
  if (text.length !== CANONICAL_ISO_CHARS) return false
  for (const [index, char] of CANONICAL_ISO_SEPARATORS) if (text.charCodeAt(index) !== char) return false
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 7)
  const day = digitsAt(text, 8, 10)
  const hour = digitsAt(text, 11, 13)
  const minute = digitsAt(text, 14, 16)
  const second = digitsAt(text, 17, 19)
  const millis = digitsAt(text, 20, 23)
  return (
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    millis >= 0
  )
}

/** `z.record(z.string(), z.unknown())` gives a copy. */
function optionalRecord(value: unknown): JsonObject | undefined | Unsure {
  if (isAbsent(value)) return undefined
  return isPlainRecord(value) ? { ...value } : UNSURE
}

function optionalEventName(value: unknown): string | undefined | Unsure {
  if (isAbsent(value)) return undefined
  return typeof value === 'string' && value.length <= MAX_EVENT_NAME_LENGTH ? value.trim() : UNSURE
}

function optionalPage(value: unknown): RawContext['page'] | Unsure {
  if (isAbsent(value)) return undefined
  if (!isPlainRecord(value)) return UNSURE
  const url = optionalText(value.url, MAX_PAGE_FIELD_LENGTH)
  const path = optionalText(value.path, MAX_PAGE_FIELD_LENGTH)
  const title = optionalText(value.title, MAX_PAGE_FIELD_LENGTH)
  const referrer = optionalText(value.referrer, MAX_PAGE_FIELD_LENGTH)
  const search = optionalText(value.search, MAX_PAGE_FIELD_LENGTH)
  if (url === UNSURE || path === UNSURE || title === UNSURE || referrer === UNSURE || search === UNSURE) {
    return UNSURE
  }
  return { url, path, title, referrer, search }
}

function optionalContext(value: unknown): RawContext | undefined | Unsure {
  if (isAbsent(value)) return undefined
  if (!isPlainRecord(value)) return UNSURE
  const page = optionalPage(value.page)
  const userAgent = optionalText(value.userAgent, MAX_USER_AGENT_LENGTH)
  const locale = optionalText(value.locale, MAX_LOCALE_LENGTH)
  const sessionId = stringOrNumberId(value.sessionId, MAX_SESSION_ID_LENGTH)
  if (page === UNSURE || userAgent === UNSURE || locale === UNSURE || sessionId === UNSURE) return UNSURE
  // eventConsent reads only `consent`, which the schema's loose context passes through unchanged.
  // Context traits (Segment puts a visitor's traits there on every call) are only ever read by the
  // identity edge, which takes its allow-list from them; anything but an object is ignored.
  const traits = isPlainRecord(value.traits) ? { ...value.traits } : undefined
  return { page, userAgent, locale, sessionId, consent: eventConsent(value), traits }
}

function eventType(value: unknown): RawEvent['type'] | Unsure {
  return value === 'page' || value === 'track' || value === 'identify' ? value : UNSURE
}

/** What the event schema parses `raw` to, or undefined when the schema must decide. */
export function fastRawEvent(raw: unknown): RawEvent | undefined {
  if (!isPlainRecord(raw)) return undefined
  const type = eventType(raw.type)
  const messageId = stringId(raw.messageId, MAX_MESSAGE_ID_LENGTH)
  const anonymousId = stringOrNumberId(raw.anonymousId, MAX_VISITOR_ID_LENGTH)
  const userId = stringOrNumberId(raw.userId, MAX_VISITOR_ID_LENGTH)
  const event = optionalEventName(raw.event)
  const name = optionalText(raw.name, MAX_EVENT_NAME_LENGTH)
  const properties = optionalRecord(raw.properties)
  const traits = optionalRecord(raw.traits)
  const context = optionalContext(raw.context)
  const timestamp = optionalTimestamp(raw.timestamp)
  const originalTimestamp = optionalTimestamp(raw.originalTimestamp)
  const sentAt = optionalTimestamp(raw.sentAt)
  const writeKey = stringId(raw.writeKey, MAX_WRITE_KEY_LENGTH)
  if (
    type === UNSURE ||
    messageId === UNSURE ||
    anonymousId === UNSURE ||
    userId === UNSURE ||
    event === UNSURE ||
    name === UNSURE ||
    properties === UNSURE ||
    traits === UNSURE ||
    context === UNSURE ||
    timestamp === UNSURE ||
    originalTimestamp === UNSURE ||
    sentAt === UNSURE ||
    writeKey === UNSURE
  ) {
    return undefined
  }
  // The schema's own refinements: these events are invalid, and the schema words the error.
  if (!anonymousId && !userId) return undefined
  if (type === 'track' && !event) return undefined
  return {
    type,
    messageId,
    anonymousId,
    userId,
    event,
    name,
    properties,
    traits,
    context,
    timestamp,
    originalTimestamp,
    sentAt,
    writeKey,
  }
}

/** Page fields in `properties`: anything unusable is skipped, as by the schema's `z.catch`. */
export function fastPageProperties(properties: JsonObject): PageFacts {
  const field = (value: unknown) =>
    typeof value === 'string' && value.length <= MAX_PAGE_FIELD_LENGTH ? value : undefined
  return {
    url: field(properties.url),
    path: field(properties.path),
    title: field(properties.title),
    referrer: field(properties.referrer),
    search: field(properties.search),
  }
}

/** What the batch envelope schema parses `body` to, or undefined when the schema must decide. */
export function fastBatchEnvelope(body: unknown): BatchEnvelope | undefined {
  if (!isPlainRecord(body)) return undefined
  const { batch } = body
  if (!Array.isArray(batch) || batch.length < 1 || batch.length > MAX_BATCH_EVENTS) return undefined
  const sentAt = optionalTimestamp(body.sentAt)
  const writeKey = stringId(body.writeKey, MAX_WRITE_KEY_LENGTH)
  const context = optionalRecord(body.context)
  if (sentAt === UNSURE || writeKey === UNSURE || context === UNSURE) return undefined
  return { batch: [...batch], sentAt, writeKey, context }
}
