import { randomUUID } from 'node:crypto'
import type { CollectedEvent } from '#shared/events/model.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { memoize } from '#shared/lib/memoize.ts'
import type { DetectorId } from '#shared/privacy/detectors/detection.ts'
import { describeDevice } from '#shared/privacy/device.ts'
import { isSensitiveKey } from '#shared/privacy/pii.ts'
import type { Redaction } from '#shared/privacy/pii-policy.ts'
import { type PiiScanner, piiScanners } from '#shared/privacy/pii-scanner.ts'
import { scrubProperties, scrubText } from '#shared/privacy/properties.ts'
import { type TextScreen, textScreen } from '#shared/privacy/text-screen.ts'
import { scrubUrl } from '#shared/privacy/url.ts'

const PATH_BASE = 'https://path.invalid'
/**
 * Message and session ids are random by design (UUIDs, hex, base64): read as text they look like
 * tokens, which identify no one. Everything else that names a person is still looked for in them.
 */
const RANDOM_ID_SHAPES: ReadonlySet<DetectorId> = new Set(['token'])
/** A UUID's digit-only groups can read as a phone or card number; UUIDs are set aside before the scan. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const UUID_STAND_IN = '_'
const UUID_CHARS = 36

/** The id as sent when nothing in it (UUIDs aside) names a person; otherwise undefined. */
function screenedId(screen: TextScreen, kind: 'messageId' | 'sessionId', field: string, id: string) {
  const rest = id.length < UUID_CHARS ? id : id.replace(UUID, UUID_STAND_IN)
  return screen.keep(kind, field, rest, RANDOM_ID_SHAPES) === rest ? id : undefined
}

export interface RequestFacts {
  siteId: string
  /** Already truncated: the raw address never reaches this module. */
  truncatedIp: string | null
  /** The request's User-Agent header, used when the event does not carry the visitor's own. */
  userAgent: string | undefined
  gpc: boolean
  receivedAt: Date
  /** What an event whose name reveals personal data is called (default `redacted_event`). */
  neutralEventName?: string
}

/** `redactions` is the PII policy's trace for the event: which field, which detector, what was done. */
export type Anonymised =
  | { ok: true; event: CollectedEvent; redactions: ReadonlyArray<Redaction> }
  | { ok: false; messageId: string; reason: string; redactions: ReadonlyArray<Redaction> }

type ScrubUrl = (url: string | undefined, screen: TextScreen, field: string) => string | undefined

/** What one visitor's events of a request share: the scanner (it remembers its finds) and scrubbed URLs. */
interface VisitorCaches {
  scanner: PiiScanner
  scrubbed: ScrubUrl
}

/** Work shared by the events of one request. */
interface RequestCaches {
  deviceOf: typeof describeDevice
  visitorFor: (anonymousId: string | undefined, userId: string | undefined) => VisitorCaches
  /** The events of a batch share their `sentAt`: read once. */
  timeOf: (stamp: string | undefined) => number
  receivedAt: string
  sensitiveKey: (name: string) => boolean
}

/**
 * Turns accepted events of one request into their anonymised form: every text that can leave screened
 * by the PII policy (event name, page URL parts, title, referrer, properties, session and message ids),
 * coarse device, truncated IP, corrected timestamp. Identify traits are dropped here: no vendor of this
 * proxy takes them.
 */
export function anonymiserFor(facts: RequestFacts): (incoming: IncomingEvent) => Anonymised {
  const scanners = piiScanners()
  const visitors = new Map<string | undefined, Map<string | undefined, VisitorCaches>>()
  const visitorFor = (anonymousId: string | undefined, userId: string | undefined) => {
    const byUserId = visitors.get(anonymousId) ?? new Map<string | undefined, VisitorCaches>()
    visitors.set(anonymousId, byUserId)
    const known = byUserId.get(userId)
    if (known) return known
    const visitor = { scanner: scanners.forVisitor([anonymousId, userId]), scrubbed: memoizedScrubUrl() }
    byUserId.set(userId, visitor)
    return visitor
  }
  const caches = {
    deviceOf: memoize(describeDevice),
    sensitiveKey: memoize(isSensitiveKey),
    visitorFor,
    timeOf: memoize(timeOf),
    receivedAt: facts.receivedAt.toISOString(),
  }
  return (incoming) => anonymiseOne(incoming, facts, caches)
}

/**
 * A batch repeats its page URLs: each is screened once per field for one visitor (the screens given
 * must all be that visitor's), and its trace replayed for every event that carries it.
 */
function memoizedScrubUrl(): ScrubUrl {
  const byField = new Map<
    string,
    Map<string, { url: string | undefined; redactions: ReadonlyArray<Redaction> }>
  >()
  return (url, screen, field) => {
    if (url === undefined) return undefined
    const cache = byField.get(field) ?? new Map()
    byField.set(field, cache)
    let hit = cache.get(url)
    if (!hit) {
      const own = screen.fresh()
      hit = { url: scrubUrl(url, own, field), redactions: own.redactions }
      cache.set(url, hit)
    }
    screen.record(hit.redactions)
    return hit.url
  }
}

export function anonymise(incoming: IncomingEvent, facts: RequestFacts): Anonymised {
  return anonymiserFor(facts)(incoming)
}

function anonymiseOne(
  incoming: IncomingEvent,
  facts: RequestFacts,
  { deviceOf, visitorFor, timeOf: sentAtOf, receivedAt, sensitiveKey }: RequestCaches,
): Anonymised {
  const visitorIds = [incoming.anonymousId, incoming.userId]
  const options = facts.neutralEventName ? { neutralEventName: facts.neutralEventName } : {}
  const { scanner, scrubbed } = visitorFor(incoming.anonymousId, incoming.userId)
  const screen = textScreen(visitorIds, options, scanner)
  // The message id travels into queues and the decision trace: one that reveals something is replaced.
  const messageId = screenedId(screen, 'messageId', 'messageId', incoming.messageId) ?? randomUUID()
  const { device, isBot } = deviceOf(incoming.context.userAgent ?? facts.userAgent)
  if (isBot) {
    return { ok: false, messageId, reason: 'bot or automated client', redactions: screen.redactions }
  }
  const visitorId = incoming.anonymousId ?? incoming.userId
  if (!visitorId) return { ok: false, messageId, reason: 'no visitor id', redactions: screen.redactions }

  const page = incoming.context.page ?? {}
  const name =
    incoming.type === 'track' && incoming.event
      ? screen.keep('eventName', 'event', incoming.event)
      : undefined
  const sessionId =
    incoming.context.sessionId === undefined
      ? undefined
      : screenedId(screen, 'sessionId', 'context.sessionId', incoming.context.sessionId)
  const event: CollectedEvent = {
    messageId,
    type: incoming.type,
    ...(name ? { name } : {}),
    siteId: facts.siteId,
    visitorId,
    timestamp: eventTime(
      timeOf(incoming.timestamp),
      sentAtOf(incoming.sentAt),
      facts.receivedAt,
    ).toISOString(),
    receivedAt,
    page: {
      url: scrubbed(page.url, screen, 'context.page.url'),
      path: scrubPath(page.path, screen),
      title: scrubText(page.title ?? incoming.name, undefined, screen),
      referrer: scrubbed(page.referrer, screen, 'context.page.referrer'),
    },
    properties:
      incoming.type === 'identify' ? {} : scrubProperties(incoming.properties, screen, sensitiveKey),
    context: {
      ip: facts.truncatedIp,
      device,
      locale: incoming.context.locale,
      sessionId,
      gpc: facts.gpc,
      consent: incoming.context.consent,
    },
  }
  return { ok: true, event, redactions: screen.redactions }
}

/**
 * Segment's clock correction: the client's event time shifted by the gap between its `sentAt` and our
 * receipt, so a visitor's wrong clock does not move events; never in the future.
 */
function eventTime(stated: number, sentAt: number, receivedAt: Date): Date {
  if (Number.isNaN(stated)) return receivedAt
  const corrected = Number.isNaN(sentAt) ? stated : stated + (receivedAt.getTime() - sentAt)
  return new Date(Math.min(corrected, receivedAt.getTime()))
}

/** Milliseconds of an ISO time, NaN when absent or unreadable. */
function timeOf(stamp: string | undefined): number {
  return stamp ? Date.parse(stamp) : Number.NaN
}

/** A bare path gets the same screening as a URL's path. */
function scrubPath(path: string | undefined, screen: TextScreen): string | undefined {
  if (!path?.startsWith('/')) return undefined
  const scrubbed = scrubUrl(`${PATH_BASE}${path}`, screen, 'context.page.path')
  return scrubbed ? new URL(scrubbed).pathname : undefined
}
