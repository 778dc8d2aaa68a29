import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { Classification, Outcome } from '../contract.ts'
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from '../retry-after.ts'
import { hubspotDetail, readHubspotError, tokenOf } from './detail.ts'

const HTTP_LOCKED = 423
const HTTP_TOO_MANY_REQUESTS = 429
/** HubSpot's error-handling advice for 423 (vendors.md §4.4, UNCONFIRMED): wait at least 2 s. */
const LOCKED_RETRY_SECONDS = 2
const MILLISECONDS_PER_SECOND = 1000
const HEADER_NUMBER = /^\d{1,12}$/

/**
 * What HubSpot's answer means for the whole request (vendors.md §4.4, §4.5 rules 12–13): 2xx is
 * delivered; 423, 429 and 5xx are retried, waiting as the headers ask; everything else (400, 401,
 * 403, 404, …) is dead-lettered with HubSpot's explanation. Used for the Events API and the Forms API.
 */
export function classifyHubspotResponse(
  response: VendorResponse,
  request: VendorRequest,
  now: Date,
): Classification {
  if (response.status >= 200 && response.status < 300) return { all: 'delivered' }
  const all = outcomeOfStatus(response.status)
  const detail = hubspotDetail(response.status, readHubspotError(response.body), tokenOf(request.headers))
  if (all !== 'retry') return { all, detail }
  const retryAfterSeconds = waitSeconds(response, now)
  return retryAfterSeconds === undefined ? { all, detail } : { all, retryAfterSeconds, detail }
}

export function outcomeOfStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'delivered'
  if (status >= 500 || status === HTTP_TOO_MANY_REQUESTS || status === HTTP_LOCKED) return 'retry'
  return 'reject'
}

/**
 * `Retry-After` when given; else, with the burst window used up (`x-hubspot-ratelimit-remaining: 0`),
 * the window's length (`x-hubspot-ratelimit-interval-milliseconds`); a 423 waits at least 2 s.
 */
function waitSeconds(response: VendorResponse, now: Date): number | undefined {
  const { headers } = response
  const fromHeader =
    parseRetryAfter(headers['retry-after'], now) ??
    (headerNumber(headers['x-hubspot-ratelimit-remaining']) === 0
      ? intervalSeconds(headers['x-hubspot-ratelimit-interval-milliseconds'])
      : undefined)
  if (response.status !== HTTP_LOCKED) return fromHeader
  return Math.max(LOCKED_RETRY_SECONDS, fromHeader ?? 0)
}

function intervalSeconds(value: string | undefined): number | undefined {
  const ms = headerNumber(value)
  if (ms === undefined) return undefined
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.ceil(ms / MILLISECONDS_PER_SECOND))
}

function headerNumber(value: string | undefined): number | undefined {
  const text = value?.trim()
  return text !== undefined && HEADER_NUMBER.test(text) ? Number(text) : undefined
}
