import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { HUBSPOT_MAX_DETAIL_CHARS } from './limits.ts'

/** A body longer than this is not a HubSpot error worth parsing (VendorResponse holds only its start). */
const MAX_PARSED_BODY_CHARS = 64 * 1024
const MAX_ERROR_TYPES = 10
const REDACTED_TOKEN = '[token]'

/** HubSpot's error objects (vendors.md §4.1, §4.4); everything but `message` optional, extra keys kept out. */
const hubspotError = z.object({
  message: z.optional(z.string()),
  category: z.optional(z.string()),
  errors: z.optional(
    z.array(z.object({ message: z.optional(z.string()), errorType: z.optional(z.string()) })),
  ),
})

export type HubspotError = z.infer<typeof hubspotError>

export function readHubspotError(body: string): HubspotError | null {
  if (body.length > MAX_PARSED_BODY_CHARS) return null
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return null
  }
  const parsed = hubspotError.safeParse(json)
  return parsed.success ? parsed.data : null
}

/** `HubSpot 400 VALIDATION_ERROR: <message> [INVALID_EMAIL, …]`: bounded, one line, the token blanked out. */
export function hubspotDetail(status: number, error: HubspotError | null, token: string | null): string {
  if (error === null) return `HTTP ${status} without a HubSpot error body`
  const types = (error.errors ?? [])
    .flatMap((entry) => (entry.errorType === undefined ? [] : [entry.errorType]))
    .slice(0, MAX_ERROR_TYPES)
  const head = error.category === undefined ? `HubSpot ${status}` : `HubSpot ${status} ${error.category}`
  const message = error.message ?? ''
  const parts = [
    message === '' ? head : `${head}: ${message}`,
    types.length > 0 ? `[${types.join(', ')}]` : '',
  ]
  const text = withoutToken(parts.join(' '), token)
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
  if (text.length <= HUBSPOT_MAX_DETAIL_CHARS) return text
  const cut = text.slice(0, HUBSPOT_MAX_DETAIL_CHARS - 1)
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`
}

function withoutToken(text: string, token: string | null): string {
  return token ? text.split(token).join(REDACTED_TOKEN) : text
}

/** The Bearer token of a request, so an error that echoes it can be blanked out. */
export function tokenOf(headers: Readonly<Record<string, string>>): string | null {
  const value = headers.authorization ?? headers.Authorization
  if (value === undefined || !value.startsWith('Bearer ')) return null
  const token = value.slice('Bearer '.length)
  return token === '' ? null : token
}
