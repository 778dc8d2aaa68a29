import type { DeploymentConfig, SiteConfig } from '#shared/config/deployment-schema.ts'
import { assertOriginAllowed, resolveSite, writeKeyFromAuthorization } from '#shared/config/sites.ts'
import { type Decision, type DecisionInput, decide, optedIn, optedInFor } from '#shared/consent/decide.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import type { Dispatch, VendorMessage } from '#shared/delivery/message.ts'
import type { CollectedEvent } from '#shared/events/model.ts'
import { type IngestRoute, parseIngestBody } from '#shared/events/parse.ts'
import { type PixelQuery, parsePixelQuery } from '#shared/events/pixel.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import {
  type FirstPartyCookies,
  readFirstPartyCookies,
  type Session,
} from '#shared/identity/first-party-cookies.ts'
import type { TraitStore } from '#shared/identity/trait-store.ts'
import { perRequestMemo } from '#shared/lib/memoize.ts'
import { EVERY_VERSION_COVERS_ALL, type PolicyCoverage } from '#shared/policy/coverage.ts'
import { anonymisedClientIp } from '#shared/privacy/client-ip.ts'
import type { Redaction } from '#shared/privacy/pii-policy.ts'
import { pseudonymsFor } from '#shared/privacy/pseudonyms.ts'
import type { RightsState } from '#shared/rights/api.ts'
import type { ErasureStore } from '#shared/rights/erasure-store.ts'
import type { RightsStore } from '#shared/rights/store.ts'
import type { AnyVendor, BaseVendorSettings } from '#shared/vendors/contract.ts'
import { VENDORS, type VendorId, type VendorSettingsById } from '#shared/vendors/index.ts'
import {
  staticVendorSettings,
  type VendorSettingsReader,
  vendorPolicy,
} from '#shared/vendors/runtime-settings.ts'
import { anonymiserFor } from './anonymise.ts'
import { edgeIdentity } from './edge-identity.ts'
import { type IdempotencyStore, screenResends } from './idempotency.ts'
import type { SessionStore } from './sessions.ts'
import { assertVisitorLimit } from './visitor-limit.ts'
import { browserCookies, saveSessions, sessionKeeper, withSession } from './visitor-sessions.ts'

/** The parts of an HTTP request the collector looks at; the raw IP is only ever in `network`. */
export interface CollectRequest {
  headers: {
    authorization?: string
    origin?: string
    userAgent?: string
    /** Value of the `Sec-GPC` header. */
    gpc?: string
    /** API Gateway v2 `cookies`; read only for the identifiers a permitted vendor takes. */
    cookies?: ReadonlyArray<string>
    /** A raw `Cookie` header (callers without a `cookies` array). */
    cookie?: string
  }
  network: { sourceIp?: string; forwardedFor?: string; viewerAddress?: string }
}

export interface DecisionRecord {
  messageId: string
  vendor: VendorId | null
  allow: boolean
  reason: string
  /** What the PII policy removed or replaced in the event before any decision: field, detector, action. */
  redactions?: ReadonlyArray<Redaction>
  /** What this vendor's allow-lists left out of its payload: field and why, never the value. */
  dropped?: ReadonlyArray<{ field: string; reason: string }>
}

export interface CollectDeps {
  /** The deployment config; `vendors` is read only when no `vendorSettings` is given (tests). */
  config: DeploymentConfig & { vendors?: VendorSettingsById }
  /** The vendor settings in force (config table, cached). Absent: the config file's `vendors`, unchanging. */
  vendorSettings?: VendorSettingsReader
  consent: ConsentStore
  /**
   * Each visitor's restriction and objections, read with the consent (one batch where the store can).
   * Absent: none is ever set (tests of other parts only; every composition passes it).
   */
  rights?: RightsStore
  /** What each policy version covers (config table, cached). Absent: every version covers everything. */
  policyCoverage?: () => Promise<PolicyCoverage>
  dispatch: Dispatch
  /** Keeps hashed identify traits with the consent record while the visitor allows marketing. */
  traits?: TraitStore
  /** Remembers queued messageIds, so a client's resend is not queued twice. Absent: no resend check. */
  idempotency?: IdempotencyStore
  pseudonymKey: string
  trustProxy: boolean
  now: () => Date
  /** Sees every decision with its reason (local outbox, logs). Never receives visitor data. */
  onDecision?: (decision: DecisionRecord) => void
  /** Told of failures that do not fail the request (a mark not written after the events were queued). */
  reportError?: (error: unknown) => void
  /** Tombstones of erased visitors (issue 10): their events are forwarded to nobody. */
  erasures?: Pick<ErasureStore, 'isErased'>
  /**
   * Sessions of visitors without the session cookie (clients that bring their own ids), kept next to
   * their consent. Absent: such visitors get a new session per request.
   */
  sessions?: SessionStore
}

export interface CollectResult {
  accepted: number
  queued: number
  /** Well-formed Segment calls (screen, group, alias) that no vendor here takes. */
  skipped: number
  /** Events whose messageId another visitor of the site already used (reasons in the decision trace). */
  refused: number
}

/** What the collector answers besides its counts: the `Set-Cookie`s of the proxy's own cookies. */
export interface CollectOutcome extends CollectResult {
  cookies: string[]
}

/** Parses a JSON ingestion request and collects its events. Client errors throw ClientError (4xx). */
export async function collectJson(
  request: CollectRequest & {
    route: IngestRoute
    body: string | undefined
    isBase64Encoded: boolean
    contentEncoding?: string | undefined
    queryWriteKey?: string | undefined
  },
  deps: CollectDeps,
): Promise<CollectOutcome> {
  const browser = readFirstPartyCookies(request.headers.cookies, request.headers.cookie)
  const parsed = parseIngestBody({
    route: request.route,
    body: request.body,
    isBase64Encoded: request.isBase64Encoded,
    contentEncoding: request.contentEncoding,
    authorizationWriteKey: writeKeyFromAuthorization(request.headers.authorization),
    queryWriteKey: request.queryWriteKey,
    ...(browser.visitorId ? { cookieVisitorId: browser.visitorId } : {}),
  })
  const result = await collectEvents(parsed.writeKey, parsed.events, request, deps, browser)
  for (const { messageId, type } of parsed.skipped) {
    deps.onDecision?.({ messageId, vendor: null, allow: false, reason: `${type} calls are not forwarded` })
  }
  return { ...result, skipped: parsed.skipped.length }
}

/**
 * Collects the event of a no-JS pixel request. An `<img>` sends no Origin, so the Referer's origin is
 * checked in its place. Throws ClientError like the JSON path; the caller still answers the GIF.
 */
export async function collectPixel(
  request: CollectRequest & { query: PixelQuery; referer: string | undefined },
  deps: CollectDeps,
): Promise<CollectResult> {
  const parsed = parsePixelQuery(request.query)
  if (!parsed.ok) throw parsed.error
  const origin = request.headers.origin ?? originOf(request.referer)
  return collectEvents(
    parsed.writeKey,
    [parsed.event],
    { ...request, headers: { ...request.headers, origin } },
    deps,
  )
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/**
 * Resolves the site, anonymises each event, decides per vendor, and queues a minimised copy for every
 * vendor the decision allows. Throws when a queue cannot take the messages, so the client retries.
 */
export async function collectEvents(
  writeKey: string | null,
  events: ReadonlyArray<IncomingEvent>,
  request: CollectRequest,
  deps: CollectDeps,
  browser: FirstPartyCookies = { present: false },
): Promise<CollectOutcome> {
  const site = resolveSite(deps.config, writeKey)
  assertOriginAllowed(site, request.headers.origin)
  return collectSiteEvents(site, events, request, deps, {}, browser)
}

/**
 * What a source other than a site's pages (an inbound webhook) may say about where its events go.
 * Plain data, honoured where each vendor's decision is made and traced with the given reasons.
 */
export interface SourceRules {
  /** Only these vendors may take the events; every other vendor's decision says `reason`. */
  onlyVendors?: { ids: ReadonlyArray<VendorId>; reason: string }
  /**
   * The events belong to no visitor (a fresh random id, no IP, no device): no consent can be looked up,
   * so they go, by the site's own setting, as anonymous statistics (see DecisionInput `anonymousStatistic`).
   */
  anonymousStatistic?: true
  /** For statistics only (privacy §3.4): a vendor's advertising extras (GA4 ad signals) stay off. */
  statisticsOnly?: true
}

/** collectEvents for a site already resolved by its caller (a webhook verified with the site's key). */
export async function collectSiteEvents(
  site: SiteConfig,
  events: ReadonlyArray<IncomingEvent>,
  request: CollectRequest,
  deps: CollectDeps,
  rules: SourceRules = {},
  browser: FirstPartyCookies = { present: false },
): Promise<CollectOutcome> {
  assertVisitorLimit(events)
  const receivedAt = deps.now()
  const facts = {
    siteId: site.id,
    truncatedIp: anonymisedClientIp(request.network, deps.trustProxy),
    userAgent: request.headers.userAgent,
    gpc: request.headers.gpc?.trim() === '1',
    receivedAt,
    neutralEventName: deps.config.privacy.neutralEventName,
  }
  const report = deps.onDecision ?? (() => {})
  const [configured, coverage] = await Promise.all([
    configuredVendors(deps),
    deps.policyCoverage ? deps.policyCoverage() : EVERY_VERSION_COVERS_ALL,
  ])
  const edge = edgeIdentity({
    kinds: configured.flatMap(({ vendor, settings }) => (settings.enabled ? vendor.identity : [])),
    request: {
      cookies: request.headers.cookies,
      cookieHeader: request.headers.cookie,
      userAgent: request.headers.userAgent,
    },
    receivedAt,
    pseudonymKey: deps.pseudonymKey,
    siteId: site.id,
    traits: deps.traits,
  })
  const anonymise = anonymiserFor(facts)
  const redactionsOf = new Map<CollectedEvent, ReadonlyArray<Redaction>>()
  const pseudonyms = pseudonymsFor(deps.pseudonymKey, site.id)

  const collected: CollectedEvent[] = []
  for (const incoming of events) {
    const anonymised = anonymise(incoming)
    const traced = anonymised.redactions.length > 0 ? { redactions: anonymised.redactions } : {}
    if (anonymised.ok) {
      collected.push(anonymised.event)
      edge.note(anonymised.event, incoming)
      if (anonymised.redactions.length > 0) redactionsOf.set(anonymised.event, anonymised.redactions)
    } else {
      report({
        messageId: anonymised.messageId,
        vendor: null,
        allow: false,
        reason: anonymised.reason,
        ...traced,
      })
    }
  }
  const screened = await screenResends(
    site.id,
    collected,
    (event) => pseudonyms.consentKey(event.visitorId),
    deps,
  )
  const browserKey = browser.visitorId ? pseudonyms.consentKey(browser.visitorId) : undefined
  const { consents, rights, erased, sessions } = await readStandings(
    [
      ...screened.fresh.map((event) => pseudonyms.consentKey(event.visitorId)),
      ...(browserKey ? [browserKey] : []),
    ],
    deps,
  )
  const keepsSession = (key: string): boolean => {
    const purposes = consents.get(key)?.purposes
    return !erased.has(key) && purposes !== undefined && (purposes.analytics || purposes.marketing)
  }
  const sessionOf = sessionKeeper({
    timeoutMinutes: site.cookies.sessionMinutes,
    receivedAt,
    browserKey,
    browserSession: browser.session,
    stored: sessions,
    keepsSession,
  })

  await edge.recall(
    [...consents].flatMap(([key, record]) => (record?.purposes.marketing === true ? [key] : [])),
  )
  const identified: Array<{ event: CollectedEvent; consentKey: string; consent: ConsentRecord }> = []
  const enqueuedAt = receivedAt.toISOString()
  const perRequest = perRequestMemo()
  const outgoing = new Map<VendorId, VendorMessage[]>()
  for (const event of screened.fresh) {
    const key = pseudonyms.consentKey(event.visitorId)
    // Erasure comes before every other rule: an erased visitor's events go to nobody, nothing is kept.
    if (erased.has(key)) {
      report({
        messageId: event.messageId,
        vendor: null,
        allow: false,
        reason: 'the visitor erased their data',
      })
      continue
    }
    const stored = consents.get(key) ?? null
    const facts = {
      stored,
      event: {
        ...decisionFacts(event),
        ...(rules.anonymousStatistic ? { anonymousStatistic: true as const } : {}),
      },
      gpc: event.context.gpc,
      rights: rights.get(key) ?? null,
    }
    if (event.type === 'identify' && stored && optedIn('marketing', facts))
      identified.push({ event, consentKey: key, consent: stored })
    for (const { vendor, settings } of configured) {
      if (rules.onlyVendors && !rules.onlyVendors.ids.includes(vendor.id)) {
        report({
          messageId: event.messageId,
          vendor: vendor.id,
          allow: false,
          reason: rules.onlyVendors.reason,
        })
        continue
      }
      const decision = decide({ vendor: vendorPolicy(vendor.id, settings), ...facts, coverage })
      let dropped: Array<{ field: string; reason: string }> | undefined
      const payload = decision.allow
        ? vendor.toPayload(withSession(event, sessionOf(key)), edge.grant(vendor, event, key), {
            settings,
            pseudonyms,
            marketingAllowed: !rules.statisticsOnly && optedInFor(vendor.id, 'marketing', facts, coverage),
            now: receivedAt,
            perRequest,
            dropped: (field, reason) => {
              dropped ??= []
              dropped.push({ field, reason })
            },
          })
        : null
      const outcome: Decision =
        decision.allow && payload === null
          ? { allow: false, reason: `${vendor.id} takes nothing from this event` }
          : decision
      const redactions = redactionsOf.get(event)
      report({
        messageId: event.messageId,
        vendor: vendor.id,
        allow: outcome.allow,
        reason: outcome.reason,
        ...(redactions ? { redactions } : {}),
        ...(dropped ? { dropped } : {}),
      })
      if (!outcome.allow) continue
      const messages = outgoing.get(vendor.id) ?? []
      messages.push(vendorMessage(vendor.id, key, event, payload, enqueuedAt, rules))
      outgoing.set(vendor.id, messages)
    }
  }

  await Promise.all([...outgoing].map(([vendor, messages]) => deps.dispatch.enqueue(vendor, messages)))
  // The events are queued: a mark not written only leaves a later resend unscreened. Answering 5xx here
  // would make the client resend the whole batch, the very duplicates the marks exist to prevent.
  await screened
    .markQueued([...outgoing.values()].flat())
    .catch((error: unknown) => deps.reportError?.(error))
  // Traits or a session not kept only leave later events without them; the events themselves are queued.
  await Promise.all([
    edge.remember(identified).catch((error: unknown) => deps.reportError?.(error)),
    saveSessions(sessionOf.changed(), consents, deps.sessions).catch((error: unknown) =>
      deps.reportError?.(error),
    ),
  ])
  const queued = [...outgoing.values()].reduce((total, messages) => total + messages.length, 0)
  return {
    accepted: events.length,
    queued,
    skipped: 0,
    refused: screened.refused,
    cookies: browserCookies(browser, browserKey, keepsSession, sessionOf.browser()),
  }
}

/** The vendors that have settings, with the settings in force for this request. */
async function configuredVendors(
  deps: CollectDeps,
): Promise<Array<{ vendor: AnyVendor & { id: VendorId }; settings: BaseVendorSettings }>> {
  const reader = deps.vendorSettings ?? staticVendorSettings(deps.config.vendors ?? {})
  const vendors: ReadonlyArray<AnyVendor & { id: VendorId }> = VENDORS
  const settings = await Promise.all(vendors.map((vendor) => reader.settingsOf(vendor.id)))
  return vendors.flatMap((vendor, index) => {
    const found = settings[index]
    return found ? [{ vendor, settings: found }] : []
  })
}

interface Standings {
  consents: Map<string, ConsentRecord | null>
  rights: Map<string, RightsState | null>
  /** Keys whose visitor erased their data. */
  erased: Set<string>
  /** The sessions kept for these visitors (sk `session`). */
  sessions: Map<string, Session>
}

/**
 * Each visitor's stored consent, rights and erasure tombstone, read once per request: in one batch
 * where the rights store shares the consent table, else the reads side by side.
 */
async function readStandings(keys: ReadonlyArray<string>, deps: CollectDeps): Promise<Standings> {
  const now = deps.now()
  const unique = [...new Set(keys)]
  if (unique.length === 0)
    return { consents: new Map(), rights: new Map(), erased: new Set(), sessions: new Map() }
  if (deps.rights?.readManyWithConsent) {
    const standings = await deps.rights.readManyWithConsent(unique, now)
    return {
      consents: new Map([...standings].map(([key, { consent }]) => [key, consent])),
      rights: new Map([...standings].map(([key, standing]) => [key, standing.rights])),
      erased: new Set([...standings].flatMap(([key, standing]) => (standing.erased ? [key] : []))),
      sessions: new Map(
        [...standings].flatMap(([key, standing]) => (standing.session ? [[key, standing.session]] : [])),
      ),
    }
  }
  const [consents, rights, erased, sessions] = await Promise.all([
    readConsents(unique, now, deps.consent),
    deps.rights ? deps.rights.readMany(unique, now) : new Map<string, RightsState | null>(),
    readTombstones(unique, now, deps),
    deps.sessions?.readMany ? deps.sessions.readMany(unique, now) : new Map<string, Session>(),
  ])
  return { consents, rights, erased, sessions }
}

async function readConsents(
  unique: ReadonlyArray<string>,
  now: Date,
  store: ConsentStore,
): Promise<Map<string, ConsentRecord | null>> {
  if (store.currentMany) return store.currentMany(unique, now)
  const records = await Promise.all(unique.map((key) => store.current(key, now)))
  return new Map(unique.map((key, index) => [key, records[index] ?? null]))
}

/** The keys among these whose visitor erased their data (none without an erasure store). */
async function readTombstones(
  unique: ReadonlyArray<string>,
  now: Date,
  deps: CollectDeps,
): Promise<Set<string>> {
  const { erasures } = deps
  if (!erasures) return new Set()
  const erased = await Promise.all(unique.map((key) => erasures.isErased(key, now)))
  return new Set(unique.filter((_key, index) => erased[index]))
}

function decisionFacts(event: CollectedEvent): DecisionInput['event'] {
  return event.context.consent ? { type: event.type, consent: event.context.consent } : { type: event.type }
}

function vendorMessage(
  vendor: VendorId,
  key: string,
  event: CollectedEvent,
  payload: unknown,
  enqueuedAt: string,
  rules: SourceRules,
): VendorMessage {
  return {
    vendor,
    messageId: event.messageId,
    siteId: event.siteId,
    consentKey: key,
    recheck: {
      eventType: event.type,
      ...(event.context.consent ? { eventConsent: event.context.consent } : {}),
      gpc: event.context.gpc,
      ...(rules.anonymousStatistic ? { anonymousStatistic: true as const } : {}),
    },
    enqueuedAt,
    payload,
  }
}
