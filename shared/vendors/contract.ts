import type { PerRequestMemo } from '#shared/lib/memoize.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import type { Purpose } from '#shared/consent/model.ts'
import type { HttpSender, VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { CollectedEvent, EventType } from '#shared/events/model.ts'
import type { GrantedIdentity, IdentityKind } from '#shared/identity/kinds.ts'
import type { Pseudonyms } from '#shared/privacy/pseudonyms.ts'
import { type Transfer, transferSchema } from './transfer.ts'

/** Which purpose each kind of event needs before a vendor may receive it; absent = not forwarded. */
export type PurposeByEvent = Partial<Record<EventType, Purpose>>

/** What a vendor's HTTP answer means for the events it carried. */
export type Outcome = 'delivered' | 'retry' | 'reject'

/**
 * A vendor's answer read whole. Either one outcome for every event of the request, or one per
 * message (a vendor that names the elements it refused); `others` covers the messages not named.
 * `detail` is the vendor's own explanation, quoted in a dead-letter reason.
 */
export type Classification =
  | { all: Outcome; retryAfterSeconds?: number; detail?: string }
  | { byMessage: ReadonlyMap<string, Outcome>; others: Outcome; retryAfterSeconds?: number; detail?: string }

/** How the stack sizes a vendor's delivery pipeline, and the deliverer its requests. */
export interface DeliveryProfile {
  /** Messages handed to one deliverer invocation; at most the vendor's per-request event limit. */
  readonly batchSize: number
  /** How long SQS gathers messages to fill a batch before invoking the deliverer. */
  readonly batchingWindowSeconds: number
}

/** One queued message as a vendor's request builder sees it. */
export interface Queued<Payload> {
  messageId: string
  payload: Payload
}

export interface MapContext<Settings> {
  settings: Settings
  pseudonyms: Pseudonyms
  /** The visitor allows marketing for this event (GA4's ad signals, Meta's very permission). */
  marketingAllowed: boolean
  now: Date
  /** Tells the decision trace that a field of the event was left out, and why (never its value). */
  dropped(field: string, reason: string): void
  /**
   * Memoizes a pure function for this request (a batch repeats its event names, keys and URLs).
   * Absent: each call computes anew.
   */
  perRequest?: PerRequestMemo
}

export interface SendContext<Settings, Credentials> {
  settings: Settings
  credentials: Credentials
  now: Date
  /** Replaces scheme and host of every request (local runtime and tests only); path and query stay. */
  baseUrl?: string
}

/**
 * What erasing a visitor at a vendor takes: GA4 first gets an OAuth token, so erasing may send a
 * preparatory request itself (through the port) before it names the deletion request.
 */
export interface EraseContext<Settings, Credentials> extends SendContext<Settings, Credentials> {
  sender: HttpSender
  timeoutMs: number
}

/**
 * The deletion request to send (its answer read by the vendor's `classify`), or why there is none:
 * `unavailable` is recorded as "no deletion API" and not retried; `retry` and `reject` go as events'.
 */
export type ErasurePlan =
  | { send: VendorRequest }
  | { unavailable: string }
  /** Nothing of the visitor can be there (the vendor was never configured): done, saying why. */
  | { nothingSent: string }
  | { retry: string; retryAfterSeconds?: number }
  | { reject: string }

/** Whom an erasure request is about (used by the visitor-rights issue). */
export interface ErasureSubject {
  /** The vendor's own pseudonym of the visitor. */
  pseudonym?: string
  /** An e-mail address the admin supplies for vendors that erase by e-mail; never stored. */
  email?: string
}

/**
 * Everything about one vendor, in its folder (shared/vendors/<id>/index.ts), listed once in VENDORS.
 * The mapper, request builder and classifier are pure; sending goes through the HttpSender port.
 */
export interface Vendor<Id extends string, Settings extends BaseVendorSettings, Payload, Credentials> {
  readonly id: Id
  /** How people call it: "Google Analytics 4", "Meta Conversions API". */
  readonly label: string
  readonly profile: DeliveryProfile
  /** Its recipient's country and the transfer safeguard its settings default to (privacy §10). */
  readonly recipient: Transfer
  /** Admin-editable, kept in the config table; built with `vendorSettingsSchema`. */
  readonly settingsSchema: z.ZodMiniType<Settings, unknown>
  /** The JSON of its secret. */
  readonly credentialsSchema: z.ZodMiniType<Credentials, unknown>
  /** The secret's JSON with empty values: what ops fill in (`{"apiSecret":""}`). */
  readonly credentialsTemplate: Readonly<Record<string, ''>>
  /** What `npm start` uses when no real credentials are given (the dry run sends nothing). */
  readonly devCredentials: Credentials
  /** The queue contract: what the collector puts on this vendor's queue. */
  readonly payloadSchema: z.ZodMiniType<Payload, unknown>
  /** What the edge may derive for it once the decision allows it. */
  readonly identity: ReadonlyArray<IdentityKind>
  readonly purposes: PurposeByEvent
  /** It takes what a visitor asked to send, without a purpose (HubSpot's contact forms, privacy §4). */
  readonly takesVisitorRequests?: true
  /** Why these settings may not run in this stage (e.g. a test event code in production), or null. */
  checkSettings?(settings: Settings, stage: { production: boolean }): string | null
  /** The minimised payload for an allowed event, or null when this vendor takes nothing from it. */
  toPayload(event: CollectedEvent, identity: GrantedIdentity, context: MapContext<Settings>): Payload | null
  /**
   * The payload under the visitor's consent at send time, for vendors whose payload carries consent
   * signals fixed when it was queued (GA4's ad signals): a purpose withdrawn since then is applied.
   */
  narrow?(payload: Payload, optedIn: (purpose: Purpose) => boolean): Payload
  /** Why this payload must be dead-lettered instead of sent (too old for the vendor), or null. */
  unsendable?(payload: Payload, now: Date): string | null
  /** Batches payloads into requests within the vendor's limits; every messageId lands in one request. */
  buildRequests(
    batch: ReadonlyArray<Queued<Payload>>,
    context: SendContext<Settings, Credentials>,
  ): VendorRequest[]
  /** Total: any status, headers and body get an answer. `now` dates a Retry-After given as a date. */
  classify(response: VendorResponse, request: VendorRequest, now: Date): Classification
  /** Asks the vendor to delete what it holds of the visitor (GDPR Art. 17); absent: no deletion API. */
  erase?(subject: ErasureSubject, context: EraseContext<Settings, Credentials>): Promise<ErasurePlan>
}

// biome-ignore lint/suspicious/noExplicitAny: the list holds vendors of different settings and payloads
export type AnyVendor = Vendor<string, BaseVendorSettings, any, any>

/** The longest request timeout any vendor settings may ask for. */
export const VENDOR_MAX_TIMEOUT_MS = 30_000
const HTTP_MIN_TIMEOUT_MS = 100

/** Fields every vendor's settings have: its switch, its legal basis and its request timeout. */
export const baseVendorSettingsShape = {
  enabled: z._default(z.boolean(), false),
  legalBasis: z._default(z.enum(['consent', 'legitimate_interest']), 'consent'),
  timeoutMs: z._default(z.int().check(z.gte(HTTP_MIN_TIMEOUT_MS), z.lte(VENDOR_MAX_TIMEOUT_MS)), 5_000),
}
export interface BaseVendorSettings {
  enabled: boolean
  legalBasis: 'consent' | 'legitimate_interest'
  timeoutMs: number
  /** Where the recipient sits and what makes sending there lawful (privacy §10). */
  transfer: Transfer
}

/**
 * A vendor's settings schema: the base fields (with this vendor's default timeout and transfer: its
 * recipient's country and the safeguard stated in docs/deploy.md) plus its own.
 */
export function vendorSettingsSchema<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  defaults: { timeoutMs: number; transfer: Transfer },
) {
  return z.strictObject({
    ...baseVendorSettingsShape,
    timeoutMs: z._default(
      z.int().check(z.gte(HTTP_MIN_TIMEOUT_MS), z.lte(VENDOR_MAX_TIMEOUT_MS)),
      defaults.timeoutMs,
    ),
    transfer: z._default(transferSchema, defaults.transfer),
    ...shape,
  })
}
