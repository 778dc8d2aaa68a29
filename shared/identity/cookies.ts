import { SESSION_COOKIE, VISITOR_COOKIE } from '#shared/tag/api.ts'
import { MAX_COOKIE_HEADER_LENGTH, MAX_COOKIE_VALUE_LENGTH, MAX_COOKIES_PARSED } from './limits.ts'

/**
 * The only cookies the edge reads; every other cookie is never looked at. The vendors' own, and the
 * proxy's first-party visitor and session cookies (shared/identity/first-party-cookies.ts checks those).
 */
export const ALLOWED_COOKIES = [
  '_fbp',
  '_fbc',
  'li_fat_id',
  'hubspotutk',
  VISITOR_COOKIE,
  SESSION_COOKIE,
] as const

export type AllowedCookie = (typeof ALLOWED_COOKIES)[number]

/** Raw values of the allow-listed cookies, unchecked. */
export type AllowedCookies = Partial<Record<AllowedCookie, string>>

const ALLOWED: ReadonlySet<string> = new Set(ALLOWED_COOKIES)
const LONGEST_ALLOWED_NAME = Math.max(...ALLOWED_COOKIES.map((name) => name.length))
/** Name, `=`, quotes and a space either side: a longer pair cannot hold an allowed cookie's value. */
const MAX_ALLOWED_PAIR_LENGTH = LONGEST_ALLOWED_NAME + 1 + MAX_COOKIE_VALUE_LENGTH + 4

function isAllowed(name: string): name is AllowedCookie {
  return ALLOWED.has(name)
}

/** RFC 6265 §4.1.1: a value may be wrapped in double quotes, which are not part of it. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

/** Takes an allow-listed `name=value` pair into `found` unless an earlier pair of that name was taken. */
function takePair(pair: string, found: AllowedCookies): void {
  if (pair.length > MAX_ALLOWED_PAIR_LENGTH) return
  const separator = pair.indexOf('=')
  if (separator === -1) return
  const name = pair.slice(0, separator).trim()
  if (!isAllowed(name) || found[name] !== undefined) return
  const value = unquote(pair.slice(separator + 1).trim())
  if (value !== '' && value.length <= MAX_COOKIE_VALUE_LENGTH) found[name] = value
}

/**
 * The allow-listed cookies from API Gateway v2's `cookies` (`["name=value", …]`) and, for what that
 * lacks, a raw `Cookie` header. The first pair of a name wins (browsers send the most specific path
 * first). At most MAX_COOKIES_PARSED pairs are read from each; an oversized header is not read at all.
 */
export function readAllowedCookies(
  cookies: ReadonlyArray<string> | undefined,
  cookieHeader?: string,
): AllowedCookies {
  const found: AllowedCookies = {}
  for (const pair of (cookies ?? []).slice(0, MAX_COOKIES_PARSED)) {
    if (typeof pair === 'string') takePair(pair, found)
  }
  if (typeof cookieHeader === 'string' && cookieHeader.length <= MAX_COOKIE_HEADER_LENGTH) {
    for (const pair of cookieHeader.split(';', MAX_COOKIES_PARSED)) takePair(pair, found)
  }
  return found
}
