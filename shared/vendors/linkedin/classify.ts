import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { Classification, Outcome } from '../contract.ts'
import { parseRetryAfter } from '../retry-after.ts'
import { LINKEDIN_MAX_DETAIL_CHARS } from './limits.ts'

const HTTP_UNPROCESSABLE = 422
const HTTP_UPGRADE_REQUIRED = 426
const HTTP_TOO_MANY_REQUESTS = 429
/** A longer body is not a LinkedIn error worth parsing (VendorResponse holds only its start). */
const MAX_PARSED_BODY_CHARS = 64 * 1024
/** `Index: <n>, ERROR :: /path :: reason` lines of a 422 read; a batch has at most 5,000 elements. */
const MAX_INDEXES_READ = 5000
const ELEMENT_INDEX = /Index: (\d{1,6}),/g

const errorBody = z.object({
  message: z.optional(z.string()),
  code: z.optional(z.string()),
  serviceErrorCode: z.optional(z.int()),
})
const batchBody = z.object({ elements: z.array(z.object({ status: z.optional(z.int()) })) })

/**
 * What LinkedIn's answer means. 2xx: delivered, element by element when the batch answer names a
 * status per element. 422 fails only the elements its message names; 426 (version sunset), 429 and
 * 5xx are retried; 401, 403 and other answers are dead-lettered with LinkedIn's message.
 */
export function classifyLinkedinResponse(
  response: VendorResponse,
  request: VendorRequest,
  now: Date,
): Classification {
  const { status } = response
  if (status >= 200 && status < 300) return classifyBatchAnswer(response.body, request)
  const error = readJson(response.body, errorBody)
  const detail = errorDetail(status, error, request)
  if (status === HTTP_UNPROCESSABLE)
    return classifyInvalidElements(error?.message ?? response.body, request, detail)
  if (status === HTTP_UPGRADE_REQUIRED) {
    const version = request.headers['linkedin-version'] ?? 'the configured version'
    return {
      all: 'retry',
      detail: `LinkedIn-Version ${version} is sunset (HTTP 426): set linkedin.version to a current YYYYMM version`,
    }
  }
  if (status === HTTP_TOO_MANY_REQUESTS || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after'], now)
    return retryAfterSeconds === undefined
      ? { all: 'retry', detail }
      : { all: 'retry', retryAfterSeconds, detail }
  }
  return { all: 'reject', detail }
}

/** A 2xx batch answer lists `{"status":201}` per element; one that is not 2xx fails that element. */
function classifyBatchAnswer(body: string, request: VendorRequest): Classification {
  const answer = readJson(body, batchBody)
  if (answer === null || answer.elements.length !== request.messageIds.length) return { all: 'delivered' }
  const byMessage = new Map<string, Outcome>()
  for (const [index, element] of answer.elements.entries()) {
    const messageId = request.messageIds[index]
    const elementStatus = element.status
    if (messageId === undefined || elementStatus === undefined) continue
    if (elementStatus >= 200 && elementStatus < 300) continue
    byMessage.set(messageId, elementOutcome(elementStatus))
  }
  if (byMessage.size === 0) return { all: 'delivered' }
  return {
    byMessage,
    others: 'delivered',
    detail: `LinkedIn refused ${byMessage.size} element(s) of the batch`,
  }
}

function elementOutcome(status: number): Outcome {
  return status === HTTP_TOO_MANY_REQUESTS || status === HTTP_UPGRADE_REQUIRED || status >= 500
    ? 'retry'
    : 'reject'
}

/**
 * A 422 names the invalid elements by index; those are dead-lettered and the others, which LinkedIn
 * did not record, are retried. A 422 naming no element of this request fails it whole.
 */
function classifyInvalidElements(message: string, request: VendorRequest, detail: string): Classification {
  const byMessage = new Map<string, Outcome>()
  let read = 0
  for (const match of message.slice(0, MAX_PARSED_BODY_CHARS).matchAll(ELEMENT_INDEX)) {
    if (read >= MAX_INDEXES_READ) break
    read += 1
    const messageId = request.messageIds[Number(match[1])]
    if (messageId !== undefined) byMessage.set(messageId, 'reject')
  }
  if (byMessage.size === 0) return { all: 'reject', detail }
  return { byMessage, others: 'retry', detail }
}

function readJson<T>(body: string, schema: z.ZodMiniType<T>): T | null {
  if (body.length > MAX_PARSED_BODY_CHARS) return null
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return null
  }
  const parsed = schema.safeParse(json)
  return parsed.success ? parsed.data : null
}

type ErrorBody = z.infer<typeof errorBody>

/** `LinkedIn 401 REVOKED_ACCESS_TOKEN (65601): <message>`, bounded, on one line, the token blanked. */
function errorDetail(status: number, error: ErrorBody | null, request: VendorRequest): string {
  const code = [
    error?.code,
    error?.serviceErrorCode === undefined ? undefined : `(${error.serviceErrorCode})`,
  ]
    .filter((part) => part !== undefined)
    .join(' ')
  const head = code === '' ? `LinkedIn ${status}` : `LinkedIn ${status} ${code}`
  const token = tokenOf(request)
  const raw = error?.message ?? ''
  const message = (token === null ? raw : raw.split(token).join('[token]')).replace(/\p{Cc}+/gu, ' ').trim()
  const detail =
    message === '' ? (error === null ? `${head} without a LinkedIn error body` : head) : `${head}: ${message}`
  if (detail.length <= LINKEDIN_MAX_DETAIL_CHARS) return detail
  const cut = detail.slice(0, LINKEDIN_MAX_DETAIL_CHARS - 1)
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`
}

function tokenOf(request: VendorRequest): string | null {
  const header = request.headers.authorization ?? ''
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : ''
  return token === '' ? null : token
}
