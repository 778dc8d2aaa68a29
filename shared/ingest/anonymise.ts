import type { CollectedEvent } from '#shared/events/model.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { memoize } from '#shared/lib/memoize.ts'
import { describeDevice } from '#shared/privacy/device.ts'
import { scrubProperties, scrubText } from '#shared/privacy/properties.ts'
import { scrubUrl } from '#shared/privacy/url.ts'

const PATH_BASE = 'https://path.invalid'

export interface RequestFacts {
  siteId: string
  /** Already truncated: the raw address never reaches this module. */
  truncatedIp: string | null
  /** The request's User-Agent header, used when the event does not carry the visitor's own. */
  userAgent: string | undefined
  gpc: boolean
  receivedAt: Date
}

export type Anonymised =
  | { ok: true; event: CollectedEvent }
  | { ok: false; messageId: string; reason: string }

/**
 * Turns accepted events of one request into their anonymised form: scrubbed page and properties,
 * coarse device, truncated IP, corrected timestamp. Identify traits are dropped here: no vendor of
 * this proxy takes them.
 */
export function anonymiserFor(facts: RequestFacts): (incoming: IncomingEvent) => Anonymised {
  const scrubbed = memoize(scrubUrl)
  const deviceOf = memoize(describeDevice)
  return (incoming) => anonymiseOne(incoming, facts, scrubbed, deviceOf)
}

export function anonymise(incoming: IncomingEvent, facts: RequestFacts): Anonymised {
  return anonymiserFor(facts)(incoming)
}

function anonymiseOne(
  incoming: IncomingEvent,
  facts: RequestFacts,
  scrubbed: typeof scrubUrl,
  deviceOf: typeof describeDevice,
): Anonymised {
  const { device, isBot } = deviceOf(incoming.context.userAgent ?? facts.userAgent)
  if (isBot) return { ok: false, messageId: incoming.messageId, reason: 'bot or automated client' }
  const visitorId = incoming.anonymousId ?? incoming.userId
  if (!visitorId) return { ok: false, messageId: incoming.messageId, reason: 'no visitor id' }

  const page = incoming.context.page ?? {}
  return {
    ok: true,
    event: {
      messageId: incoming.messageId,
      type: incoming.type,
      ...(incoming.type === 'track' && incoming.event ? { name: incoming.event } : {}),
      siteId: facts.siteId,
      visitorId,
      timestamp: eventTime(incoming, facts.receivedAt).toISOString(),
      receivedAt: facts.receivedAt.toISOString(),
      page: {
        url: scrubbed(page.url),
        path: scrubPath(page.path),
        title: scrubText(page.title ?? incoming.name),
        referrer: scrubbed(page.referrer),
      },
      properties: incoming.type === 'identify' ? {} : scrubProperties(incoming.properties),
      context: {
        ip: facts.truncatedIp,
        device,
        locale: incoming.context.locale,
        sessionId: incoming.context.sessionId,
        gpc: facts.gpc,
        consent: incoming.context.consent,
      },
    },
  }
}

/**
 * Segment's clock correction: the client's event time shifted by the gap between its `sentAt` and our
 * receipt, so a visitor's wrong clock does not move events; never in the future.
 */
function eventTime(incoming: IncomingEvent, receivedAt: Date): Date {
  const stated = incoming.timestamp ? Date.parse(incoming.timestamp) : Number.NaN
  if (Number.isNaN(stated)) return receivedAt
  const sentAt = incoming.sentAt ? Date.parse(incoming.sentAt) : Number.NaN
  const corrected = Number.isNaN(sentAt) ? stated : stated + (receivedAt.getTime() - sentAt)
  return new Date(Math.min(corrected, receivedAt.getTime()))
}

/** A bare path gets the same scrubbing as a URL's path (e-mails, phones and tokens in segments). */
function scrubPath(path: string | undefined): string | undefined {
  if (!path?.startsWith('/')) return undefined
  const scrubbed = scrubUrl(`${PATH_BASE}${path}`)
  return scrubbed ? new URL(scrubbed).pathname : undefined
}
