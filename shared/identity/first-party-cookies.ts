import { randomBytes, randomInt } from 'node:crypto'
import { SESSION_COOKIE, VISITOR_COOKIE } from '#shared/tag/api.ts'
import { readAllowedCookies } from './cookies.ts'

/**
 * The proxy's own cookies (issue 11, privacy §3.1), set on its domain only while the visitor allows
 * analytics or marketing:
 * - `tw_id=<id>`: the visitor id, 16 random bytes base64url (22 characters); ids of 22 to 64
 *   base64url characters are read, anything else is as if there were no cookie.
 * - `tw_s=<sessionId>.<startedAt>.<lastAt>.<number>`: a 16-digit random session id, the session's
 *   start and last event (Unix seconds) and its number for this browser (1, 2, …). No expiry.
 * Both `HttpOnly; Secure; SameSite=Lax; Path=/`.
 */
const ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=Lax'
const VISITOR_ID_BYTES = 16
const VISITOR_ID = /^[A-Za-z0-9_-]{22,64}$/
export const MAX_SESSION_COOKIE_LENGTH = 64
/** One spelling per session (no leading zeros), so a value reads back as it was written. */
const SESSION_VALUE = /^([1-9][0-9]{15})\.(0|[1-9][0-9]{0,11})\.(0|[1-9][0-9]{0,11})\.([1-9][0-9]{0,5})$/
const SESSION_ID = /^[1-9][0-9]{15}$/
const SECONDS_PER_DAY = 24 * 60 * 60
/** Session ids are 16 decimal digits: GA4 reads them as numbers, and they stay below 2^53. */
const SESSION_ID_LOW = 1_000_000_000_000_000
const SESSION_ID_SPAN = 8_000_000_000_000_000
/** randomInt takes ranges below 2^48: the id is drawn in two halves. */
const HALF_SPAN = 100_000_000

export interface Session {
  /** Random, never derived from the clock: two visitors never share one. */
  id: string
  /** 1 for a browser's (or visitor's) first session, then one more for each new one. */
  number: number
  /** Unix seconds of the session's first event. */
  startedAt: number
  /** Unix seconds of the session's latest event. */
  lastAt: number
}

export const newVisitorId = (): string => randomBytes(VISITOR_ID_BYTES).toString('base64url')

export function isVisitorId(value: string): boolean {
  return VISITOR_ID.test(value)
}

export function newSessionId(): string {
  const high = randomInt(SESSION_ID_SPAN / HALF_SPAN)
  const low = randomInt(HALF_SPAN)
  return String(SESSION_ID_LOW + high * HALF_SPAN + low)
}

export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value)
}

export function formatSession(session: Session): string {
  return `${session.id}.${session.startedAt}.${session.lastAt}.${session.number}`
}

/** The session a `tw_s` value holds, or undefined for anything this module did not write. */
export function parseSession(value: string): Session | undefined {
  if (value.length > MAX_SESSION_COOKIE_LENGTH) return undefined
  const match = SESSION_VALUE.exec(value)
  if (!match) return undefined
  const [, id = '', started = '', last = '', number = ''] = match
  const startedAt = Number(started)
  const lastAt = Number(last)
  if (lastAt < startedAt) return undefined
  return { id, number: Number(number), startedAt, lastAt }
}

/** What the proxy's cookies say, each only when well-formed. */
export interface FirstPartyCookies {
  /** Either cookie was sent at all, well-formed or not. */
  present: boolean
  visitorId?: string
  session?: Session
}

export function readFirstPartyCookies(
  cookies: ReadonlyArray<string> | undefined,
  cookieHeader?: string,
): FirstPartyCookies {
  const found = readAllowedCookies(cookies, cookieHeader)
  const visitorId = found[VISITOR_COOKIE]
  const sessionValue = found[SESSION_COOKIE]
  const session = sessionValue === undefined ? undefined : parseSession(sessionValue)
  return {
    present: visitorId !== undefined || sessionValue !== undefined,
    ...(visitorId !== undefined && isVisitorId(visitorId) ? { visitorId } : {}),
    ...(session ? { session } : {}),
  }
}

export function visitorCookie(visitorId: string, lifetimeDays: number): string {
  return `${VISITOR_COOKIE}=${visitorId}; Max-Age=${lifetimeDays * SECONDS_PER_DAY}; ${ATTRIBUTES}`
}

/** A session cookie: no Max-Age or Expires, so the browser forgets it when it closes. */
export function sessionCookie(session: Session): string {
  return `${SESSION_COOKIE}=${formatSession(session)}; ${ATTRIBUTES}`
}

/** Make the browser forget both cookies (a refusal of both purposes, a revocation, an erasure). */
export const CLEARED_FIRST_PARTY_COOKIES: ReadonlyArray<string> = [
  `${VISITOR_COOKIE}=; Max-Age=0; ${ATTRIBUTES}`,
  `${SESSION_COOKIE}=; Max-Age=0; ${ATTRIBUTES}`,
]
