import type { Purpose } from '#shared/consent/model.ts'
import type { HttpSender, VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import { classifyHttpResponse } from './classify-http.ts'
import type { AnyVendor, Classification, ErasurePlan, ErasureSubject, PurposeByEvent } from './contract.ts'
import type { VendorId } from './index.ts'

/**
 * A vendor bound to the settings and credentials in force for one batch: everything the deliverer
 * needs to read queued payloads, batch them into requests and read the answers.
 */
export interface VendorAdapter<Payload> {
  id: VendorId
  purposes: PurposeByEvent
  timeoutMs: number
  /** The queued payload, validated; null when it is not one this vendor can send. */
  parsePayload(raw: unknown): Payload | null
  /** The payload under the visitor's consent at send time (see Vendor.narrow). */
  narrow?(payload: Payload, optedIn: (purpose: Purpose) => boolean): Payload
  /** Why this payload must be parked instead of sent, or null. */
  unsendable?(payload: Payload, now: Date): string | null
  buildRequests(messages: ReadonlyArray<{ messageId: string; payload: Payload }>): VendorRequest[]
  /** Reads status, headers and body; `now` dates a `Retry-After` given as an HTTP date. */
  classify(response: VendorResponse, request: VendorRequest, now: Date): Classification
  /** The vendor's deletion request for a visitor (see Vendor.erase); absent: no deletion API. */
  erase?(subject: ErasureSubject, io: { sender: HttpSender }): Promise<ErasurePlan>
}

export interface BindOptions {
  /** Replaces scheme and host of every request (local runtime and tests only). */
  baseUrl?: string | undefined
  /** Send time (requests keep backdated events inside the vendor's window). */
  now: () => Date
}

/** The vendor with these settings and credentials, ready to send. */
export function bindVendor<
  Settings extends AnyVendor['settingsSchema']['_zod']['output'],
  Payload,
  Credentials,
>(
  vendor: AnyVendor,
  settings: Settings,
  credentials: Credentials,
  options: BindOptions,
): VendorAdapter<Payload> {
  const context = () => ({
    settings,
    credentials,
    now: options.now(),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  })
  return {
    id: vendor.id as VendorId,
    purposes: vendor.purposes,
    timeoutMs: settings.timeoutMs,
    parsePayload: (raw) => {
      const parsed = vendor.payloadSchema.safeParse(raw)
      return parsed.success ? (parsed.data as Payload) : null
    },
    ...(vendor.narrow ? { narrow: vendor.narrow } : {}),
    ...(vendor.unsendable ? { unsendable: vendor.unsendable } : {}),
    buildRequests: (messages) => vendor.buildRequests(messages, context()),
    classify: (response, request, now) => vendor.classify(response, request, now),
    ...erasing(vendor, settings, credentials, options),
  }
}

/** Only Vendor.erase, bound: what a switched-off vendor still does (an erasure is never switched off). */
export function erasing(
  vendor: AnyVendor,
  settings: AnyVendor['settingsSchema']['_zod']['output'],
  credentials: unknown,
  options: BindOptions,
): Pick<VendorAdapter<unknown>, 'erase'> {
  const { erase } = vendor
  if (!erase) return {}
  return {
    erase: (subject, io) =>
      erase(subject, {
        settings,
        credentials,
        now: options.now(),
        sender: io.sender,
        timeoutMs: settings.timeoutMs,
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      }),
  }
}

/**
 * Stands in for a vendor that is not configured, switched off or without credentials, so the deliverer
 * still runs and withholds (or retries) every message with a reason. Being asked to send is a wiring bug.
 */
export function switchedOffAdapter<Payload>(
  id: VendorId,
  purposes: PurposeByEvent,
  why = 'switched off',
  eraser: Pick<VendorAdapter<Payload>, 'erase'> = {},
): VendorAdapter<Payload> {
  return {
    ...eraser,
    id,
    purposes,
    timeoutMs: 1,
    parsePayload: () => null,
    buildRequests: () => {
      throw new Error(`${id} is ${why}: nothing may be sent to it`)
    },
    classify: (response, _request, now) => classifyHttpResponse(response, now),
  }
}
