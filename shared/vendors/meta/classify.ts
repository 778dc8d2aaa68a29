import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import type { VendorRequest, VendorResponse } from '#shared/delivery/http.ts'
import type { Classification, Outcome } from '../contract.ts'
import { parseRetryAfter } from '../retry-after.ts'
import { META_MAX_DETAIL_CHARS } from './limits.ts'

/** Graph codes worth another try (vendors.md §2.5): temporary, throttled, temporarily blocked. */
const RETRY_CODES: ReadonlySet<number> = new Set([1, 2, 4, 17, 341, 368, 613, 80003, 5000])
/** Graph codes that repeating cannot fix: bad parameter, bad token, permission, audience, TOS. */
const REJECT_CODES: ReadonlySet<number> = new Set([100, 190, 3, 10, 294, 105, 2650, 2655])
const PERMISSION_CODES = { first: 200, last: 299 } as const
const HTTP_TOO_MANY_REQUESTS = 429
/** A body longer than this is not a Graph error worth parsing (VendorResponse holds only its start). */
const MAX_PARSED_BODY_CHARS = 64 * 1024

const graphError = z.object({
  error: z.object({
    code: z.int(),
    error_subcode: z.optional(z.int()),
    message: z.optional(z.string()),
  }),
})

/**
 * What Meta's answer means for the whole request (Meta accepts or refuses a request as one). 2xx is
 * delivered; a Graph `error.code` decides when the body has one; otherwise the status does.
 */
export function classifyMetaResponse(
  response: VendorResponse,
  request: VendorRequest,
  now: Date,
): Classification {
  if (response.status >= 200 && response.status < 300) return { all: 'delivered' }
  const error = readGraphError(response.body)
  const all = error ? (outcomeOfCode(error.code) ?? byStatus(response.status)) : byStatus(response.status)
  const detail = error
    ? graphDetail(error, tokenOf(request.url))
    : `HTTP ${response.status} without a Graph error body`
  if (all !== 'retry') return { all, detail }
  const retryAfterSeconds = parseRetryAfter(response.headers['retry-after'], now)
  return retryAfterSeconds === undefined ? { all, detail } : { all, retryAfterSeconds, detail }
}

type GraphError = z.infer<typeof graphError>['error']

function readGraphError(body: string): GraphError | null {
  if (body.length > MAX_PARSED_BODY_CHARS) return null
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return null
  }
  const parsed = graphError.safeParse(json)
  return parsed.success ? parsed.data.error : null
}

function outcomeOfCode(code: number): Outcome | undefined {
  if (RETRY_CODES.has(code)) return 'retry'
  if (REJECT_CODES.has(code)) return 'reject'
  if (code >= PERMISSION_CODES.first && code <= PERMISSION_CODES.last) return 'reject'
  return undefined
}

function byStatus(status: number): Outcome {
  return status >= 500 || status === HTTP_TOO_MANY_REQUESTS ? 'retry' : 'reject'
}

/** `Graph error 100/2804003: <message>`, bounded, on one line, and with the access token blanked out. */
function graphDetail(error: GraphError, token: string | null): string {
  const code = error.error_subcode === undefined ? `${error.code}` : `${error.code}/${error.error_subcode}`
  const message = withoutToken(error.message ?? '', token)
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
  const detail = message === '' ? `Graph error ${code}` : `Graph error ${code}: ${message}`
  if (detail.length <= META_MAX_DETAIL_CHARS) return detail
  const cut = detail.slice(0, META_MAX_DETAIL_CHARS - 1)
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`
}

const TOKEN_PARAMETER = /access_token=[^&\s"']*/g
const REDACTED_TOKEN = '[token]'

function withoutToken(message: string, token: string | null): string {
  const named = message.replace(TOKEN_PARAMETER, `access_token=${REDACTED_TOKEN}`)
  return token ? named.split(token).join(REDACTED_TOKEN) : named
}

function tokenOf(url: string): string | null {
  if (!URL.canParse(url)) return null
  const token = new URL(url).searchParams.get('access_token')
  return token === null || token === '' ? null : token
}
