import type { VendorResponse } from '#shared/delivery/http.ts'
import type { Classification, Outcome } from './contract.ts'
import { parseRetryAfter } from './retry-after.ts'

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
