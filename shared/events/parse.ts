import { randomUUID } from 'node:crypto'
import { decodedBodyText } from '#shared/http/body.ts'
import { PayloadTooLargeError, ValidationError } from '#shared/http/errors.ts'
import { MAX_EVENT_BYTES, MAX_JSON_DEPTH, MAX_REQUEST_BYTES } from './limits.ts'
import { fieldPath, type IncomingEvent, validateBatchEnvelope, validateEvent } from './schema.ts'

export type IngestRoute = 'batch' | 'track' | 'page' | 'identify' | SkippedType

export interface IngestRequest {
  route: IngestRoute
  body: string | undefined
  isBase64Encoded?: boolean
  /** The `Content-Encoding` header: gzip and deflate bodies are inflated within MAX_REQUEST_BYTES. */
  contentEncoding?: string | undefined
  /** Write key from the Authorization header, already decoded. */
  authorizationWriteKey: string | null
  /** Write key from the `writeKey` query parameter: used when neither header nor body names one. */
  queryWriteKey?: string | undefined
  /**
   * The visitor id of the proxy's `tw_id` cookie (already checked): an event that names neither
   * `anonymousId` nor `userId` is that visitor's. Absent: such an event is refused, as before.
   */
  cookieVisitorId?: string | undefined
}

/** A well-formed Segment call of a kind no vendor here takes; accepted, reported, not forwarded. */
export interface SkippedEvent {
  messageId: string
  type: SkippedType
}

export interface ParsedIngest {
  writeKey: string | null
  events: IncomingEvent[]
  skipped: SkippedEvent[]
}

/**
 * Segment calls that analytics.js may put in the same batch as page and track events. Refusing the
 * batch would lose those too, so they are accepted and skipped.
 */
export const SKIPPED_TYPES = ['screen', 'group', 'alias'] as const
export type SkippedType = (typeof SKIPPED_TYPES)[number]

function skippedType(item: JsonObject): SkippedType | undefined {
  return SKIPPED_TYPES.find((type) => type === item.type)
}

/** Keys that could reach an object's prototype if assigned; JSON input never keeps them. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
const UNSAFE_KEY_LIST = [...UNSAFE_KEYS]

type JsonObject = Record<string, unknown>

const BYTE_ORDER_MARK = '\uFEFF'

/**
 * Turns a Segment-compatible request body (`/v1/batch`, or one event on `/v1/track|page|identify`)
 * into validated events. Throws PayloadTooLargeError (413) or ValidationError (400) naming the field.
 * Write key precedence: Authorization header, then the body's `writeKey`, then the events' own.
 */
export function parseIngestBody(request: IngestRequest): ParsedIngest {
  const { body, withinEventLimit } = parseJsonObject(decodeBody(request))
  const headerWriteKey = request.authorizationWriteKey || null
  const { route } = request
  const visitorOf = withVisitor(request.cookieVisitorId)
  const exceedsEventLimit = (value: JsonObject) =>
    !withinEventLimit && serialisedBytes(value) > MAX_EVENT_BYTES
  const parsed =
    route === 'batch'
      ? parseBatch(body, headerWriteKey, exceedsEventLimit, visitorOf)
      : isSkippedType(route)
        ? skipSingleEvent(route, body, headerWriteKey, exceedsEventLimit)
        : parseSingleEvent(route, body, headerWriteKey, exceedsEventLimit, visitorOf)
  return parsed.writeKey || !request.queryWriteKey ? parsed : { ...parsed, writeKey: request.queryWriteKey }
}

/** Base64 and Content-Encoding undone; MAX_REQUEST_BYTES applies to the inflated body. */
function decodeBody(request: IngestRequest): string {
  return decodedBodyText(
    {
      body: request.body,
      isBase64Encoded: request.isBase64Encoded ?? false,
      contentEncoding: request.contentEncoding,
    },
    MAX_REQUEST_BYTES,
  )
}

function isSkippedType(route: IngestRoute): route is SkippedType {
  return SKIPPED_TYPES.some((type) => type === route)
}

/** A single-event route's body: of that route's type (or none) and within the per-event size limit. */
function assertSingleEventBody(
  route: Exclude<IngestRoute, 'batch'>,
  body: JsonObject,
  exceedsEventLimit: EventLimitCheck,
): void {
  if (body.type !== undefined && body.type !== null && body.type !== route) {
    throw new ValidationError('type', `type must be "${route}" on /v1/${route} (or use /v1/batch)`)
  }
  if (exceedsEventLimit(body)) throw new PayloadTooLargeError('body', MAX_EVENT_BYTES)
}

/** `/v1/g|a|s`: one group, alias or screen call, accepted and skipped as in a batch. */
function skipSingleEvent(
  route: SkippedType,
  body: JsonObject,
  headerWriteKey: string | null,
  exceedsEventLimit: EventLimitCheck,
): ParsedIngest {
  assertSingleEventBody(route, body, exceedsEventLimit)
  const messageId = typeof body.messageId === 'string' && body.messageId ? body.messageId : randomUUID()
  const bodyWriteKey = typeof body.writeKey === 'string' && body.writeKey ? body.writeKey : null
  return { writeKey: headerWriteKey ?? bodyWriteKey, events: [], skipped: [{ type: route, messageId }] }
}

/** A parsed body, and whether every value in it is known to serialise within MAX_EVENT_BYTES. */
interface ParsedBody {
  body: JsonObject
  withinEventLimit: boolean
}

function parseJsonObject(text: string): ParsedBody {
  const json = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text
  const scan = scanText(json, MAX_JSON_DEPTH)
  // JSON.parse with a reviver, and later JSON.stringify, recurse: unbounded nesting would overflow the stack.
  if (scan.tooDeep) {
    throw new ValidationError('body', `request body nests deeper than ${MAX_JSON_DEPTH} levels`)
  }
  let parsed: unknown
  try {
    parsed = mayHoldUnsafeKey(json) ? JSON.parse(json, withoutUnsafeKeys) : JSON.parse(json)
  } catch (error) {
    if (error instanceof SyntaxError) throw new ValidationError('body', 'request body is not valid JSON')
    throw error
  }
  if (!isJsonObject(parsed)) throw new ValidationError('body', 'request body must be a JSON object')
  return { body: parsed, withinEventLimit: serialisedBytesBound(json, scan.numbers) <= MAX_EVENT_BYTES }
}

/**
 * The longest a number re-serialises (`-0.0000012345678901234567`), less the shortest it can be
 * written (one digit): a parsed `1e20` comes back as 21 digits.
 */
export const NUMBER_GROWTH_CHARS = 24

/** Any code unit of a surrogate pair, paired or not. */
const SURROGATE = /[\uD800-\uDFFF]/

/**
 * An upper bound on the UTF-8 bytes of JSON.stringify of any value parsed from `json`, so the per-event
 * limit needs no per-event JSON.stringify for a body that is small anyway. Re-serialising drops
 * whitespace and duplicate keys, and writes every string and escape in at most the bytes of its
 * source; only numbers can grow, by NUMBER_GROWTH_CHARS each. A lone surrogate is the exception (3
 * bytes in the body, a 6-byte `\\uXXXX` escape in the output): with any surrogate there is no bound.
 */
export function serialisedBytesBound(json: string, numberTokens: number): number {
  if (SURROGATE.test(json)) return Number.POSITIVE_INFINITY
  return Buffer.byteLength(json, 'utf8') + NUMBER_GROWTH_CHARS * numberTokens
}

/**
 * A reviver makes JSON.parse several times slower, so it runs only when an unsafe key could be in
 * the text: spelled out, or hidden behind a `\u` escape.
 */
function mayHoldUnsafeKey(json: string): boolean {
  return MAY_HOLD_UNSAFE_KEY.test(json)
}

/** A `\u` escape or any unsafe key (plain identifiers), in one pass: literal alternatives, linear. */
const MAY_HOLD_UNSAFE_KEY = new RegExp(['\\\\u', ...UNSAFE_KEY_LIST].join('|'))

/** JSON.parse reviver: returning undefined deletes the key before anything else sees it. */
function withoutUnsafeKeys(key: string, value: unknown): unknown {
  return UNSAFE_KEYS.has(key) ? undefined : value
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d

const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
const LOWER_E = 0x65
const UPPER_E = 0x45

/** What one pass over the text tells before it is parsed. */
export interface TextScan {
  /** Object/array nesting goes deeper than the limit somewhere. */
  tooDeep: boolean
  /** Number tokens outside strings (an upper bound when the text is not valid JSON). */
  numbers: number
}

const isDigit = (char: number) => char >= DIGIT_0 && char <= DIGIT_9
const isNumberChar = (char: number) =>
  isDigit(char) || char === MINUS || char === PLUS || char === DOT || char === LOWER_E || char === UPPER_E

/**
 * Counts object/array nesting and number tokens outside strings without parsing; strings are skipped
 * with indexOf.
 */
export function scanText(json: string, maxDepth: number): TextScan {
  let depth = 0
  let numbers = 0
  for (let index = 0; index < json.length; index++) {
    const char = json.charCodeAt(index)
    if (char === QUOTE) {
      index = closingQuote(json, index)
      if (index === -1) return { tooDeep: false, numbers }
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++
      if (depth > maxDepth) return { tooDeep: true, numbers }
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) depth--
    else if ((isDigit(char) || char === MINUS) && !isNumberChar(json.charCodeAt(index - 1))) numbers++
  }
  return { tooDeep: false, numbers }
}

/** Index of the quote that closes the string opened at `open`, or -1 when the text ends first. */
function closingQuote(json: string, open: number): number {
  let quote = json.indexOf('"', open + 1)
  while (quote !== -1) {
    let backslashes = 0
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote
    quote = json.indexOf('"', quote + 1)
  }
  return -1
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Whether one event, as JSON, is over MAX_EVENT_BYTES. */
type EventLimitCheck = (value: JsonObject) => boolean

function serialisedBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8')
}

type VisitorFill = (raw: JsonObject) => JsonObject

/** A Segment id field that names someone: a non-empty string or a number. */
const namesVisitor = (value: unknown): boolean =>
  (typeof value === 'string' && value !== '') || typeof value === 'number'

function withVisitor(cookieVisitorId: string | undefined): VisitorFill {
  if (!cookieVisitorId) return (raw) => raw
  return (raw) =>
    namesVisitor(raw.anonymousId) || namesVisitor(raw.userId) ? raw : { ...raw, anonymousId: cookieVisitorId }
}

function validateOrThrow(raw: JsonObject, prefix: string): IncomingEvent {
  const result = validateEvent(raw)
  if (!result.ok) throw new ValidationError(fieldPath(result.path, prefix), result.message)
  return result.event
}

function parseSingleEvent(
  route: Exclude<IngestRoute, 'batch'>,
  body: JsonObject,
  headerWriteKey: string | null,
  exceedsEventLimit: EventLimitCheck,
  visitorOf: VisitorFill,
): ParsedIngest {
  assertSingleEventBody(route, body, exceedsEventLimit)
  const event = validateOrThrow(visitorOf({ ...body, type: route }), '')
  return { writeKey: headerWriteKey ?? event.writeKey ?? null, events: [event], skipped: [] }
}

function parseBatch(
  body: JsonObject,
  headerWriteKey: string | null,
  exceedsEventLimit: EventLimitCheck,
  visitorOf: VisitorFill,
): ParsedIngest {
  const result = validateBatchEnvelope(body)
  if (!result.ok) throw new ValidationError(fieldPath(result.path) || 'body', result.message)
  const { batch, sentAt, writeKey: bodyWriteKey, context: sharedContext } = result.envelope

  const events: IncomingEvent[] = []
  const skipped: SkippedEvent[] = []
  batch.forEach((item, index) => {
    const prefix = `batch[${index}]`
    if (!isJsonObject(item)) throw new ValidationError(prefix, 'each batch item must be an event object')
    if (exceedsEventLimit(item)) throw new PayloadTooLargeError(prefix, MAX_EVENT_BYTES)
    const type = skippedType(item)
    if (type) {
      skipped.push({
        type,
        messageId: typeof item.messageId === 'string' && item.messageId ? item.messageId : randomUUID(),
      })
      return
    }
    const event = validateOrThrow(visitorOf(withSharedContext(item, sharedContext)), prefix)
    events.push({ ...event, sentAt: event.sentAt ?? sentAt, writeKey: event.writeKey ?? bodyWriteKey })
  })
  const writeKey = headerWriteKey ?? bodyWriteKey ?? sharedEventWriteKey(events)
  return { writeKey, events, skipped }
}

/** Segment merges the batch-level `context` into each event's own; the event's keys win. */
function withSharedContext(item: JsonObject, sharedContext: JsonObject | undefined): JsonObject {
  if (!sharedContext) return item
  if (item.context === undefined || item.context === null) return { ...item, context: sharedContext }
  if (!isJsonObject(item.context)) return item
  return { ...item, context: { ...sharedContext, ...item.context } }
}

/** Without a header or body key, the events' own keys decide, and must agree: one request, one site. */
function sharedEventWriteKey(events: IncomingEvent[]): string | null {
  const first = events.find((event) => event.writeKey !== undefined)?.writeKey
  const disagreeing = events.findIndex((event) => event.writeKey !== undefined && event.writeKey !== first)
  if (disagreeing >= 0) {
    throw new ValidationError(
      `batch[${disagreeing}].writeKey`,
      'all events in a batch must share one write key',
    )
  }
  return first ?? null
}
