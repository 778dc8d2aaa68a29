import { randomUUID } from 'node:crypto'
import { ClientError, PayloadTooLargeError, ValidationError } from '#shared/http/errors.ts'
import { visitorFromRef } from '#shared/identity/visitor-ref.ts'
import { type CollectDeps, collectSiteEvents, type SourceRules } from '#shared/ingest/collect.ts'
import { type CalendlyDelivery, parseCalendlyDelivery } from './payload.ts'
import { verifyCalendlySignature } from './signature.ts'
import type { CalendlySigningKeys } from './signing-keys.ts'
import { bookingEvent, type InviteeDelivery, messageIdOf } from './to-event.ts'

/** Far above a real delivery (a few KB with every Q&A); checked before the HMAC is computed. */
export const MAX_CALENDLY_BODY_BYTES = 64 * 1024

export const GA4_ONLY_REASON = 'calendly bookings go to ga4 only (privacy §3.4: internal statistics)'
export const NO_SHOW_REASON = 'calendly no-show events are accepted and not forwarded'
export const DUPLICATE_REASON = 'calendly redelivery of an event already queued'
export const UNLINKED_HELD_REASON =
  'calendly booking carries no visitor reference of this site, and calendly.forwardUnlinked is off'
export const UNLINKED_SENT_REASON =
  'calendly booking carries no visitor reference of this site: sent with a random id by calendly.forwardUnlinked'

/** 401 for a missing, malformed, stale or wrong signature, naming the header part at fault. */
export class CalendlySignatureError extends ClientError {
  override name = 'CalendlySignatureError'
  constructor(field: string, reason: string) {
    super(401, `${field} ${reason}`, field)
  }
}

/**
 * 404 alike for a site id that is not configured and for a site without a signing key, before anything
 * else is looked at: a guessed id learns only "no Calendly webhook here".
 */
export class CalendlySiteNotFoundError extends ClientError {
  override name = 'CalendlySiteNotFoundError'
  constructor() {
    super(404, 'no Calendly webhook for this site', 'siteId')
  }
}

export interface CalendlyDeps extends CollectDeps {
  calendlySigningKeys?: CalendlySigningKeys
}

export interface CalendlyRequest {
  siteId: string
  signature: string | undefined
  body: string | undefined
  isBase64Encoded: boolean
}

export interface CalendlyAnswer {
  accepted: true
  queued: number
  /** This delivery was already queued once; nothing was queued again. */
  duplicate?: true
  /** Why nothing was forwarded, when so by rule (a no-show, an unlinked booking held back). */
  skipped?: string
}

/**
 * One Calendly webhook delivery (vendors.md §5): site, size, signature, shape, dedupe, then the booking
 * as a GA4-only track event for the visitor its `utm_content` reference names (that visitor's stored
 * consent decides), or, by the site's setting only, for nobody. Answers once the queues took it.
 */
export async function receiveCalendlyWebhook(
  request: CalendlyRequest,
  deps: CalendlyDeps,
): Promise<CalendlyAnswer> {
  const site = deps.config.sites.find((candidate) => candidate.id === request.siteId)
  const signingKey = site ? await deps.calendlySigningKeys?.(site.id) : undefined
  if (site === undefined || signingKey === undefined) throw new CalendlySiteNotFoundError()

  // The bytes Calendly signed: API Gateway hands a body it did not take for text as base64.
  const rawBody = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8')
  if (rawBody.length > MAX_CALENDLY_BODY_BYTES)
    throw new PayloadTooLargeError('body', MAX_CALENDLY_BODY_BYTES)
  const check = verifyCalendlySignature({
    header: request.signature,
    rawBody,
    signingKey,
    now: deps.now(),
    replayWindowSeconds: site.calendly?.replayWindowSeconds,
  })
  if (!check.ok) throw new CalendlySignatureError(check.field, check.reason)
  const parsed = parseCalendlyDelivery(rawBody)
  if (!parsed.ok) throw new ValidationError(parsed.field, `${parsed.field} ${parsed.reason}`)

  const report = deps.onDecision ?? (() => {})
  const delivery = parsed.delivery
  if (!isInviteeDelivery(delivery)) {
    report({
      messageId: randomUUID(),
      vendor: null,
      allow: false,
      reason: `${delivery.event}: ${NO_SHOW_REASON}`,
    })
    return { accepted: true, queued: 0, skipped: NO_SHOW_REASON }
  }
  const messageId = messageIdOf(site.id, delivery)
  const already = await deps.idempotency?.queuedBy(site.id, [messageId])
  if (already?.has(messageId)) {
    report({ messageId, vendor: null, allow: false, reason: DUPLICATE_REASON })
    return { accepted: true, queued: 0, duplicate: true }
  }

  const ref = delivery.payload.tracking.utm_content
  const visitorId = typeof ref === 'string' ? visitorFromRef(deps.pseudonymKey, site.id, ref) : undefined
  const rules: SourceRules = { onlyVendors: { ids: ['ga4'], reason: GA4_ONLY_REASON }, statisticsOnly: true }
  if (visitorId === undefined) {
    if (site.calendly?.forwardUnlinked !== true) {
      report({ messageId, vendor: null, allow: false, reason: UNLINKED_HELD_REASON })
      return { accepted: true, queued: 0, skipped: UNLINKED_HELD_REASON }
    }
    report({ messageId, vendor: null, allow: true, reason: UNLINKED_SENT_REASON })
    rules.anonymousStatistic = true
  }
  // No headers and no network facts: the webhook request's IP and user agent are Calendly's, never a visitor's.
  const result = await collectSiteEvents(
    site,
    [bookingEvent(delivery, messageId, visitorId ?? randomUUID())],
    { headers: {}, network: {} },
    deps,
    rules,
  )
  return { accepted: true, queued: result.queued }
}

function isInviteeDelivery(delivery: CalendlyDelivery): delivery is InviteeDelivery {
  return delivery.event === 'invitee.created' || delivery.event === 'invitee.canceled'
}
