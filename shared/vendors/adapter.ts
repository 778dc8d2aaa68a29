import type { Purpose } from '#shared/consent/model.ts'
import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import { parseRetryAfter } from './retry-after.ts'
import type { PurposeByEvent, VendorId } from './vendor.ts'

/** What a vendor's HTTP answer means for the events it carried. */
export type Outcome = 'delivered' | 'retry' | 'reject'

/** A vendor's answer read whole: what it means, and how long the vendor asked us to wait before a retry. */
export interface Classification {
  all: Outcome
  /** From `Retry-After` (bounded); the deliverer never retries sooner. */
  retryAfterSeconds?: number
}

/**
 * Everything the deliverer needs to know about one vendor: which purposes its events need, how to read
 * a queued payload, how to batch payloads into requests, and what its status codes mean.
 */
export interface VendorAdapter<Payload> {
  id: VendorId
  purposes: PurposeByEvent
  timeoutMs: number
  /** The queued payload, validated; null when it is not one this vendor can send. */
  parsePayload(raw: unknown): Payload | null
  /**
   * The payload under the visitor's consent at send time, for vendors whose payload carries consent
   * signals fixed when it was queued (GA4's ad signals): a purpose withdrawn since then is applied.
   */
  narrow?(payload: Payload, optedIn: (purpose: Purpose) => boolean): Payload
  buildRequests(messages: ReadonlyArray<{ messageId: string; payload: Payload }>): VendorRequest[]
  /** Reads status, headers and body; `now` dates a `Retry-After` given as an HTTP date. */
  classify(response: VendorResponse, now: Date): Classification
}

const HTTP_TOO_MANY_REQUESTS = 429

/** 2xx delivered; 5xx and 429 are worth another try; any other answer will not improve by repeating. */
export function classifyHttpStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'delivered'
  if (status >= 500 || status === HTTP_TOO_MANY_REQUESTS) return 'retry'
  return 'reject'
}

/** The status decides; a retry honours the answer's `Retry-After`. */
export function classifyHttpResponse(response: VendorResponse, now: Date): Classification {
  const all = classifyHttpStatus(response.status)
  if (all !== 'retry') return { all }
  const retryAfterSeconds = parseRetryAfter(response.headers['retry-after'], now)
  return retryAfterSeconds === undefined ? { all } : { all, retryAfterSeconds }
}

/**
 * Stands in for a vendor that is not configured or switched off, so the deliverer still starts and
 * withholds every message with a reason. Its policy denies first; being asked to send is a wiring bug.
 */
export function switchedOffAdapter<Payload>(id: VendorId, purposes: PurposeByEvent): VendorAdapter<Payload> {
  return {
    id,
    purposes,
    timeoutMs: 1,
    parsePayload: () => null,
    buildRequests: () => {
      throw new Error(`${id} is switched off: nothing may be sent to it`)
    },
    classify: classifyHttpResponse,
  }
}
