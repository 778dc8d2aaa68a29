import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { VISITOR_TOKEN_COOKIE } from '#shared/rights/api.ts'

/**
 * The visitor token (issue 10): proof, kept in an HttpOnly first-party cookie, that a browser is the one
 * that made a visitor id's first consent decision. `v1.<issuedAtSeconds>.<nonce>.<mac>`, the MAC an
 * HMAC-SHA256 over site, visitor id, issue time and nonce. The consent record keeps the nonce, so a
 * token counts only for the record it was issued with (an erased or expired record ends it).
 */
const VERSION = 'v1'
const KEY_LABEL = 'tagwarden visitor token v1'
const NONCE_BYTES = 16
/** A token "issued" later than this past our clock is refused (clock skew between functions). */
const ALLOWED_SKEW_SECONDS = 300
const MILLISECONDS_PER_SECOND = 1000
const ISSUED_AT = /^[0-9]{1,12}$/
const NONCE = /^[A-Za-z0-9_-]{16,64}$/
/** base64url of 32 bytes, unpadded. */
const MAC = /^[A-Za-z0-9_-]{43}$/

export interface TokenSubject {
  siteId: string
  anonymousId: string
}

/** The token key is derived, so the pseudonym key itself never signs anything a browser holds. */
function tokenKey(pseudonymKey: string): Buffer {
  return createHmac('sha256', pseudonymKey).update(KEY_LABEL).digest()
}

function macOf(pseudonymKey: string, subject: TokenSubject, issuedAt: string, nonce: string): Buffer {
  return createHmac('sha256', tokenKey(pseudonymKey))
    .update(`${subject.siteId}\n${subject.anonymousId}\n${issuedAt}\n${nonce}`)
    .digest()
}

export const newTokenNonce = (): string => randomBytes(NONCE_BYTES).toString('base64url')

export function issueVisitorToken(
  pseudonymKey: string,
  subject: TokenSubject,
  nonce: string,
  issuedAt: Date,
): string {
  const seconds = String(Math.floor(issuedAt.getTime() / MILLISECONDS_PER_SECOND))
  return [VERSION, seconds, nonce, macOf(pseudonymKey, subject, seconds, nonce).toString('base64url')].join(
    '.',
  )
}

export interface VerifyOptions {
  /** The nonce the visitor's consent record keeps; a token with any other is not for this record. */
  nonce: string
  now: Date
  maxAgeSeconds: number
}

/** True only for an intact, unexpired token issued for this site, visitor id and record. */
export function verifyVisitorToken(
  pseudonymKey: string,
  token: string,
  subject: TokenSubject,
  options: VerifyOptions,
): boolean {
  const parts = token.split('.')
  if (parts.length !== 4) return false
  const [version, issuedAt = '', nonce = '', mac = ''] = parts
  if (version !== VERSION || !ISSUED_AT.test(issuedAt) || !NONCE.test(nonce) || !MAC.test(mac)) return false
  // Compared as text: decoding would accept several spellings of the last base64url character.
  const expected = Buffer.from(macOf(pseudonymKey, subject, issuedAt, nonce).toString('base64url'))
  const given = Buffer.from(mac)
  // The MAC is checked before the nonce and the age, so a forged token learns nothing from timing.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false
  // Only tokens this key signed get here, so the nonce needs no constant-time comparison.
  if (nonce !== options.nonce) return false
  const nowSeconds = Math.floor(options.now.getTime() / MILLISECONDS_PER_SECOND)
  const issuedSeconds = Number(issuedAt)
  return (
    issuedSeconds <= nowSeconds + ALLOWED_SKEW_SECONDS && nowSeconds < issuedSeconds + options.maxAgeSeconds
  )
}

const COOKIE_ATTRIBUTES = 'Path=/v1/; HttpOnly; Secure; SameSite=Lax'

/** `Set-Cookie` for the token, kept as long as the consent decision it proves. */
export function visitorTokenCookie(token: string, maxAgeSeconds: number): string {
  return `${VISITOR_TOKEN_COOKIE}=${token}; Max-Age=${maxAgeSeconds}; ${COOKIE_ATTRIBUTES}`
}

/** `Set-Cookie` that makes the browser forget the token (after an erasure). */
export const CLEARED_VISITOR_TOKEN_COOKIE = `${VISITOR_TOKEN_COOKIE}=; Max-Age=0; ${COOKIE_ATTRIBUTES}`

/** The token from API Gateway v2's `cookies` (`["name=value", …]`); the first one, as browsers send the most specific path first. */
export function visitorTokenFrom(cookies: ReadonlyArray<string> | undefined): string | undefined {
  const prefix = `${VISITOR_TOKEN_COOKIE}=`
  const found = cookies?.find((cookie) => cookie.trim().startsWith(prefix))
  const value = found?.trim().slice(prefix.length)
  return value ? value : undefined
}
