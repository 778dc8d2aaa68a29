import { randomUUID } from 'node:crypto'
import { resolveSite, writeKeyFromAuthorization } from '#shared/config/sites.ts'
import { optedIn } from '#shared/consent/decide.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import { MAX_VISITOR_ID_LENGTH } from '#shared/events/limits.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import {
  ClientError,
  ForbiddenOriginError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '#shared/http/errors.ts'
import { readAllowedCookies } from '#shared/identity/cookies.ts'
import { anonymisedClientIp } from '#shared/privacy/client-ip.ts'
import { pseudonymsFor } from '#shared/privacy/pseudonyms.ts'
import { scrubUrl } from '#shared/privacy/url.ts'
import type { HubspotFormConfig } from '#shared/vendors/hubspot/form-config.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import { HUBSPOT_MAX_FORM_VALUE_CHARS } from '#shared/vendors/hubspot/limits.ts'
import { HUBSPOT_UTK } from '#shared/vendors/hubspot/names.ts'
import type { HubspotFormPayload } from '#shared/vendors/hubspot/payload.ts'
import { unsendableHubspot } from '#shared/vendors/hubspot/requests.ts'
import { staticVendorSettings } from '#shared/vendors/runtime-settings.ts'
import { type CollectDeps, type CollectRequest, collectEvents } from './collect.ts'
import { type FormEntries, formEncodingOf, parseFormBody, quotedName } from './form-body.ts'
import type { FormRateLimiter } from './form-rate-limit.ts'

/** Names the route reads itself; every other name must be one of the form's fields. */
export const FORM_CONTROL_FIELDS = {
  writeKey: 'writeKey',
  visitor: 'anonymousId',
  /** Hidden from people by the page; a bot that fills every input fills it too. */
  honeypot: '_hp',
  consentToProcess: 'consentToProcess',
  subscriptions: 'subscriptions',
  pageUri: 'pageUri',
  pageName: 'pageName',
} as const
const CONTROL_NAMES: ReadonlySet<string> = new Set(Object.values(FORM_CONTROL_FIELDS))
/** What a checkbox or a script may send for "ticked". */
const TICKED = new Set(['true', 'on', '1', 'yes'])
const SUBSCRIPTION_ID = /^\d{1,12}$/
/**
 * A queued form message, serialised: SQS takes 256 KiB, and JSON escaping can make a 64 KiB body up
 * to six times longer, so a body that would not fit is refused here rather than failing the enqueue.
 */
export const MAX_FORM_MESSAGE_BYTES = 200 * 1024
/** The track event other vendors receive for a submission, without any typed value. */
export const FORM_SUBMITTED_EVENT = 'Form Submitted'

export class TooManySubmissionsError extends ClientError {
  override name = 'TooManySubmissionsError'
  constructor() {
    super(429, 'too many submissions of this form from this visitor; try again later', 'formId')
  }
}

export interface FormDeps extends CollectDeps {
  formRateLimiter: FormRateLimiter
}

export interface FormRequest extends CollectRequest {
  formId: string
  body: string | undefined
  isBase64Encoded: boolean
  contentEncoding?: string | undefined
  contentType?: string | undefined
  referer?: string | undefined
  queryWriteKey?: string | undefined
}

export interface FormResult {
  messageId: string
  /** The page the visitor goes to after a plain-HTML submission, when the form has one. */
  thankYouUrl?: string
}

/**
 * A visitor's contact request to one configured form: refused (4xx naming the field) when it holds a
 * field the form lacks or misses a required one; answered as accepted but dropped when the honeypot
 * is filled; otherwise queued for HubSpot's Forms API because the visitor asked (privacy §4), whatever
 * their analytics and marketing choices, with `hutk` only when analytics is allowed and the IP only
 * when the settings ask for the truncated one. Other vendors get a `Form Submitted` track event under
 * their own purposes, without the typed values. The values appear in no decision or error.
 */
export async function collectForm(request: FormRequest, deps: FormDeps): Promise<FormResult> {
  const entries = parseFormBody(request, formEncodingOf(request.contentType))
  const writeKey =
    single(entries, FORM_CONTROL_FIELDS.writeKey) ??
    request.queryWriteKey ??
    writeKeyFromAuthorization(request.headers.authorization)
  const site = resolveSite(deps.config, writeKey)
  // A plain form posts with an Origin in every current browser; the Referer's origin stands in for it.
  const origin = request.headers.origin ?? originOf(request.referer)
  if (origin === undefined || !site.allowedOrigins.includes(origin)) throw new ForbiddenOriginError()

  const settings = await hubspotSettings(deps)
  const config =
    settings?.enabled && Object.hasOwn(settings.forms, request.formId)
      ? settings.forms[request.formId]
      : undefined
  if (settings === null || config === undefined) {
    // The trace says why, naming the form id only (the submission's values never enter it).
    deps.onDecision?.({
      messageId: randomUUID(),
      vendor: 'hubspot',
      allow: false,
      reason: settings?.enabled
        ? `form ${quotedName(request.formId)} is not configured`
        : 'hubspot is switched off by admin: the form is not forwarded',
    })
    throw new NotFoundError(`form ${quotedName(request.formId)}`)
  }

  const now = deps.now()
  const messageId = randomUUID()
  const report = deps.onDecision ?? (() => {})
  const visitorId = visitorIdOf(entries)
  const pseudonyms = pseudonymsFor(deps.pseudonymKey, site.id)
  const truncatedIp = anonymisedClientIp(request.network, deps.trustProxy)
  const limitKey = `${site.id}|${request.formId}|${pseudonyms.consentKey(visitorId === undefined ? `ip:${truncatedIp ?? 'unknown'}` : visitorId)}`
  if (!deps.formRateLimiter.take(limitKey, now)) throw new TooManySubmissionsError()
  const thankYou = config.thankYouUrl === undefined ? {} : { thankYouUrl: config.thankYouUrl }

  if ((single(entries, FORM_CONTROL_FIELDS.honeypot) ?? '') !== '') {
    report({
      messageId,
      vendor: null,
      allow: false,
      reason: 'honeypot field filled: answered, not forwarded',
    })
    return { messageId, ...thankYou }
  }

  const values = typedValues(entries, config)
  const consentToProcess = TICKED.has(
    (single(entries, FORM_CONTROL_FIELDS.consentToProcess) ?? '').toLowerCase(),
  )
  if (config.consent !== undefined && !consentToProcess) {
    throw new ValidationError(FORM_CONTROL_FIELDS.consentToProcess, 'the form needs consent to process')
  }
  const subscriptions = subscriptionsOf(entries, config)
  const pageUri = scrubUrl(single(entries, FORM_CONTROL_FIELDS.pageUri) ?? request.referer)
  if (pageUri === undefined) {
    throw new ValidationError(FORM_CONTROL_FIELDS.pageUri, 'needs the page URL (pageUri or the Referer)')
  }
  const pageName = single(entries, FORM_CONTROL_FIELDS.pageName)?.trim()

  const gpc = request.headers.gpc?.trim() === '1'
  const consentKey = pseudonyms.consentKey(visitorId ?? messageId)
  const [stored, rights] =
    visitorId === undefined
      ? [null, null]
      : await Promise.all([
          deps.consent.current(consentKey, now),
          deps.rights?.read(consentKey, now) ?? Promise.resolve(null),
        ])
  // The contact request itself goes (the visitor made it); linking it to their browsing needs analytics.
  const analytics = optedIn('analytics', { stored, event: { type: 'track' }, gpc, rights })
  const utk = readAllowedCookies(request.headers.cookies, request.headers.cookie).hubspotutk
  const hutk = analytics && utk !== undefined && HUBSPOT_UTK.test(utk) ? utk : undefined
  const ipAddress = settings.formsSendTruncatedIp && truncatedIp !== null ? truncatedIp : undefined

  const payload: HubspotFormPayload = {
    kind: 'form',
    formId: request.formId,
    config,
    submission: {
      values,
      consentToProcess,
      subscriptions,
      submittedAt: now.toISOString(),
      pageUri,
      ...(pageName ? { pageName } : {}),
      ...(hutk === undefined ? {} : { hutk }),
      ...(ipAddress === undefined ? {} : { ipAddress }),
    },
  }
  const unsendable = unsendableHubspot(payload)
  if (unsendable !== null) throw new ValidationError('body', unsendable)
  const message: VendorMessage<HubspotFormPayload> = {
    vendor: 'hubspot',
    messageId,
    siteId: site.id,
    consentKey,
    recheck: { eventType: 'track', gpc, requestedByVisitor: true },
    enqueuedAt: now.toISOString(),
    payload,
  }
  if (Buffer.byteLength(JSON.stringify(message), 'utf8') > MAX_FORM_MESSAGE_BYTES) {
    throw new PayloadTooLargeError('body', MAX_FORM_MESSAGE_BYTES)
  }
  await deps.dispatch.enqueue('hubspot', [message])
  report({
    messageId,
    vendor: 'hubspot',
    allow: true,
    reason: `form ${request.formId}: the visitor asked to be contacted`,
    ...(hutk === undefined
      ? { dropped: [{ field: 'context.hutk', reason: hutkAbsence(analytics, utk) }] }
      : {}),
  })

  // The contact request is queued: a failure to tell the other vendors must not make the visitor resend it.
  if (visitorId !== undefined) {
    await collectEvents(
      writeKey,
      [formSubmittedEvent(`${messageId}-event`, visitorId, request.formId, pageUri, now)],
      { ...request, headers: { ...request.headers, origin } },
      deps,
    ).catch((error: unknown) => deps.reportError?.(error))
  }
  return { messageId, ...thankYou }
}

async function hubspotSettings(deps: CollectDeps) {
  const reader = deps.vendorSettings ?? staticVendorSettings(deps.config.vendors ?? {})
  const raw = await reader.settingsOf('hubspot')
  if (raw === null) return null
  const parsed = hubspotVendor.settingsSchema.safeParse(raw)
  return parsed.success ? parsed.data : null
}

/** Field name → typed value for the form's own fields; anything else the visitor sent is refused. */
function typedValues(entries: FormEntries, config: HubspotFormConfig): Record<string, string> {
  const defined = new Set(config.fields.map((field) => field.name))
  for (const name of entries.keys()) {
    if (!CONTROL_NAMES.has(name) && !defined.has(name)) {
      throw new ValidationError(quotedName(name), 'is not a field of this form')
    }
  }
  const values: Record<string, string> = {}
  for (const field of config.fields) {
    const value = (single(entries, field.name) ?? '').trim()
    if (value === '') {
      if (field.required) throw new ValidationError(field.name, 'is required')
      continue
    }
    if (value.length > HUBSPOT_MAX_FORM_VALUE_CHARS) {
      throw new ValidationError(field.name, `is longer than ${HUBSPOT_MAX_FORM_VALUE_CHARS} characters`)
    }
    values[field.name] = value
  }
  return values
}

function subscriptionsOf(entries: FormEntries, config: HubspotFormConfig): number[] {
  const offered = new Set(config.consent?.communications.map((item) => item.subscriptionTypeId) ?? [])
  const ticked = new Set<number>()
  for (const text of entries.get(FORM_CONTROL_FIELDS.subscriptions) ?? []) {
    const id = SUBSCRIPTION_ID.test(text.trim()) ? Number(text.trim()) : Number.NaN
    if (!offered.has(id)) {
      throw new ValidationError(
        FORM_CONTROL_FIELDS.subscriptions,
        'names a subscription the form does not offer',
      )
    }
    ticked.add(id)
  }
  return [...ticked]
}

function visitorIdOf(entries: FormEntries): string | undefined {
  const id = single(entries, FORM_CONTROL_FIELDS.visitor)?.trim()
  if (id === undefined || id === '') return undefined
  if (id.length > MAX_VISITOR_ID_LENGTH) {
    throw new ValidationError(
      FORM_CONTROL_FIELDS.visitor,
      `is longer than ${MAX_VISITOR_ID_LENGTH} characters`,
    )
  }
  return id
}

/** The one value of a name; sent twice, it is ambiguous and refused. */
function single(entries: FormEntries, name: string): string | undefined {
  const values = entries.get(name)
  if (values === undefined) return undefined
  if (values.length > 1) throw new ValidationError(quotedName(name), 'is sent more than once')
  return values[0]
}

function hutkAbsence(analytics: boolean, utk: string | undefined): string {
  if (!analytics) return 'the visitor does not allow analytics'
  return utk === undefined ? 'no hubspotutk cookie' : 'hubspotutk cookie is malformed'
}

function formSubmittedEvent(
  messageId: string,
  anonymousId: string,
  formId: string,
  pageUrl: string,
  now: Date,
): IncomingEvent {
  return {
    type: 'track',
    messageId,
    anonymousId,
    event: FORM_SUBMITTED_EVENT,
    properties: { formId },
    traits: {},
    context: { page: { url: pageUrl } },
    timestamp: now.toISOString(),
  }
}

function originOf(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined
  const { origin } = new URL(url)
  return origin === 'null' ? undefined : origin
}
