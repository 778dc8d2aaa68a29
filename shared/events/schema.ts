import { randomUUID } from 'node:crypto'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import type { Purposes } from '#shared/consent/model.ts'
import { lazy } from '#shared/lib/lazy.ts'
import { eventConsent } from './consent-signals.ts'
import { fastBatchEnvelope, fastPageProperties, fastRawEvent, isPlainRecord } from './fast-event.ts'
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
import type { EventType } from './model.ts'

export const EVENT_TYPES = ['page', 'track', 'identify'] as const satisfies readonly EventType[]

export interface PageFacts {
  url?: string
  path?: string
  title?: string
  referrer?: string
  search?: string
}

/** A Segment-compatible event as received, validated but not yet anonymised. */
export interface IncomingEvent {
  type: EventType
  /** Kept from the client, or a random UUID when the client sent none. */
  messageId: string
  anonymousId?: string
  userId?: string
  /** `track` event name, trimmed. */
  event?: string
  /** `page` name. */
  name?: string
  properties: Record<string, unknown>
  traits: Record<string, unknown>
  context: {
    page?: PageFacts
    userAgent?: string
    locale?: string
    sessionId?: string
    consent?: Partial<Purposes>
  }
  /** ISO 8601 (UTC) from `timestamp`, else `originalTimestamp`. */
  timestamp?: string
  sentAt?: string
  writeKey?: string
}

export type EventValidation =
  | { ok: true; event: IncomingEvent }
  | { ok: false; path: PropertyKey[]; message: string }

const ACCEPTED_TYPES_MESSAGE = `unsupported event type: accepted types are ${EVENT_TYPES.join(', ')}`

/** Segment clients send null for unset fields; null reads as absent. */
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.nullish(schema),
    z.transform((value: z.output<T> | null | undefined) => value ?? undefined),
  )

const text = (maxLength: number) =>
  z.string().check(z.maxLength(maxLength, `must be at most ${maxLength} characters`))

const emptyAsAbsent = (value: string) => (value === '' ? undefined : value)

/** A string identifier; empty means "not sent" (RudderStack sends `userId: ""`). */
const stringId = (maxLength: number) => optional(z.pipe(text(maxLength), z.transform(emptyAsAbsent)))

/** An identifier clients may send as a number (RudderStack's `sessionId` is epoch ms); kept as a string. */
const stringOrNumberId = (maxLength: number) =>
  optional(
    z.pipe(
      z.pipe(
        z.pipe(
          z.union([z.string(), z.number()], { error: 'must be a string or a number' }),
          z.transform((value: string | number) => String(value)),
        ),
        text(maxLength),
      ),
      z.transform(emptyAsAbsent),
    ),
  )

/**
 * The zod schemas, built on first use: valid events of the common shape are taken by the fast path
 * (fast-event.ts), so cold start and most requests never build them. Invalid or unusual input comes
 * here, and every error message is zod's.
 */
function buildSchemas() {
  const isoTimestamp = z.pipe(
    z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
      .check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'must be a real date')),
    z.transform((value: string) => new Date(value).toISOString()),
  )

  const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' })

  const pageSchema = z.object({
    url: optional(text(MAX_PAGE_FIELD_LENGTH)),
    path: optional(text(MAX_PAGE_FIELD_LENGTH)),
    title: optional(text(MAX_PAGE_FIELD_LENGTH)),
    referrer: optional(text(MAX_PAGE_FIELD_LENGTH)),
    search: optional(text(MAX_PAGE_FIELD_LENGTH)),
  })

  /** A page field found in `properties`: anything unusable is skipped. */
  const pageProperty = () => z.catch(z.optional(text(MAX_PAGE_FIELD_LENGTH)), undefined)

  /** Page facts found in `properties`, where analytics.js also puts them: anything unusable is skipped. */
  const pagePropertiesSchema = z.object({
    url: pageProperty(),
    path: pageProperty(),
    title: pageProperty(),
    referrer: pageProperty(),
    search: pageProperty(),
  })

  const contextFields = z.looseObject({
    page: optional(pageSchema),
    userAgent: optional(text(MAX_USER_AGENT_LENGTH)),
    locale: optional(text(MAX_LOCALE_LENGTH)),
    sessionId: stringOrNumberId(MAX_SESSION_ID_LENGTH),
  })

  const contextSchema = z.pipe(
    contextFields,
    z.transform((context: z.output<typeof contextFields>) => ({
      page: context.page,
      userAgent: context.userAgent,
      locale: context.locale,
      sessionId: context.sessionId,
      consent: eventConsent(context),
      traits: isPlainRecord(context.traits) ? { ...context.traits } : undefined,
    })),
  )

  const rawEventSchema = z
    .object({
      type: z.enum(EVENT_TYPES, { error: ACCEPTED_TYPES_MESSAGE }),
      messageId: stringId(MAX_MESSAGE_ID_LENGTH),
      anonymousId: stringOrNumberId(MAX_VISITOR_ID_LENGTH),
      userId: stringOrNumberId(MAX_VISITOR_ID_LENGTH),
      event: optional(
        z
          .string()
          .check(
            z.maxLength(MAX_EVENT_NAME_LENGTH, `must be at most ${MAX_EVENT_NAME_LENGTH} characters`),
            z.trim(),
          ),
      ),
      name: optional(text(MAX_EVENT_NAME_LENGTH)),
      properties: optional(jsonObject),
      traits: optional(jsonObject),
      context: optional(contextSchema),
      timestamp: optional(isoTimestamp),
      originalTimestamp: optional(isoTimestamp),
      sentAt: optional(isoTimestamp),
      writeKey: stringId(MAX_WRITE_KEY_LENGTH),
    })
    .check(
      z.superRefine((event, context) => {
        if (!event.anonymousId && !event.userId) {
          context.addIssue({
            code: 'custom',
            path: ['anonymousId'],
            message: 'anonymousId or userId is required',
          })
        }
        if (event.type === 'track' && !event.event) {
          context.addIssue({
            code: 'custom',
            path: ['event'],
            message: 'track events need a non-empty event name',
          })
        }
      }),
    )

  /** The `/v1/batch` envelope around the events; `context` is merged into each event's own. */
  const batchEnvelope = z.object({
    batch: z
      .array(z.unknown(), { error: 'must be a non-empty array of events' })
      .check(
        z.minLength(1, 'must be a non-empty array of events'),
        z.maxLength(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events`),
      ),
    sentAt: optional(isoTimestamp),
    writeKey: stringId(MAX_WRITE_KEY_LENGTH),
    context: optional(jsonObject),
  })

  return { rawEvent: rawEventSchema, pageProperties: pagePropertiesSchema, batchEnvelope }
}

const schemas = lazy(buildSchemas)

export type RawEvent = z.output<ReturnType<typeof buildSchemas>['rawEvent']>
export type BatchEnvelope = z.output<ReturnType<typeof buildSchemas>['batchEnvelope']>

/** Page fields found in `properties`, where analytics.js also puts them. */
export type PagePropertiesReader = (properties: Record<string, unknown>) => PageFacts

/** context.page wins; a page event may also carry its page facts in `properties`. */
function pageFacts(
  event: RawEvent,
  properties: Record<string, unknown>,
  readPageProperties: PagePropertiesReader,
): PageFacts | undefined {
  const fromContext: PageFacts = event.context?.page ?? {}
  const fromProperties: PageFacts = event.type === 'page' ? readPageProperties(properties) : {}
  const page: PageFacts = {
    url: fromContext.url ?? fromProperties.url,
    path: fromContext.path ?? fromProperties.path,
    title: fromContext.title ?? fromProperties.title,
    referrer: fromContext.referrer ?? fromProperties.referrer,
    search: fromContext.search ?? fromProperties.search,
  }
  return Object.values(page).some((value) => value !== undefined) ? page : undefined
}

function toIncomingEvent(event: RawEvent, readPageProperties: PagePropertiesReader): IncomingEvent {
  const properties = event.properties ?? {}
  return {
    type: event.type,
    messageId: event.messageId ?? randomUUID(),
    anonymousId: event.anonymousId,
    userId: event.userId,
    event: event.type === 'track' ? event.event : undefined,
    name: event.type === 'page' ? event.name : undefined,
    properties,
    // identify's own traits win over the context's copy.
    traits: { ...event.context?.traits, ...event.traits },
    context: {
      page: pageFacts(event, properties, readPageProperties),
      userAgent: event.context?.userAgent,
      locale: event.context?.locale,
      sessionId: event.context?.sessionId,
      consent: event.context?.consent,
    },
    timestamp: event.timestamp ?? event.originalTimestamp,
    sentAt: event.sentAt,
    writeKey: event.writeKey,
  }
}

/**
 * Validates one event object (already free of prototype-polluting keys). An invalid event is an
 * expected outcome: the answer names the first field at fault and why. Events of the common shape
 * take the fast path, which gives the same answer as the schema (test/unit/events/schema-fast-path).
 */
export function validateEvent(raw: unknown): EventValidation {
  const fast = fastRawEvent(raw)
  if (fast) return { ok: true, event: toIncomingEvent(fast, fastPageProperties) }
  return validateEventWithSchema(raw)
}

/** validateEvent by the zod schema alone: the reference the fast path is held to. */
export function validateEventWithSchema(raw: unknown): EventValidation {
  const { rawEvent, pageProperties } = schemas()
  const parsed = rawEvent.safeParse(raw)
  if (parsed.success)
    return { ok: true, event: toIncomingEvent(parsed.data, (properties) => pageProperties.parse(properties)) }
  const [issue] = parsed.error.issues
  return { ok: false, path: issue?.path ?? [], message: issue?.message ?? 'invalid event' }
}

export type EnvelopeValidation =
  | { ok: true; envelope: BatchEnvelope }
  | { ok: false; path: PropertyKey[]; message: string }

/** Validates the `/v1/batch` envelope around the events; `context` is merged into each event's own. */
export function validateBatchEnvelope(body: unknown): EnvelopeValidation {
  const fast = fastBatchEnvelope(body)
  return fast ? { ok: true, envelope: fast } : validateBatchEnvelopeWithSchema(body)
}

/** validateBatchEnvelope by the zod schema alone. */
export function validateBatchEnvelopeWithSchema(body: unknown): EnvelopeValidation {
  const parsed = schemas().batchEnvelope.safeParse(body)
  if (parsed.success) return { ok: true, envelope: parsed.data }
  const [issue] = parsed.error.issues
  return { ok: false, path: issue?.path ?? [], message: issue?.message ?? 'invalid batch' }
}

/** `batch[2].context.page` from `batch[2]` and `['context', 'page']`. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  return path.reduce<string>((field, key) => {
    if (typeof key === 'number') return `${field}[${key}]`
    return field === '' ? String(key) : `${field}.${String(key)}`
  }, prefix)
}
