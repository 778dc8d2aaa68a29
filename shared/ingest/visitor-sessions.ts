/** The collector's side of sessions (issue 11): each visitor's session for one request, what to keep, which cookies to answer. */
import type { ConsentRecord } from '#shared/consent/model.ts'
import type { CollectedEvent } from '#shared/events/model.ts'
import {
  CLEARED_FIRST_PARTY_COOKIES,
  type FirstPartyCookies,
  type Session,
  sessionCookie,
} from '#shared/identity/first-party-cookies.ts'
import {
  continueSession,
  requestSession,
  type SessionStore,
  sessionChanged,
  sessionItemExpiry,
} from './sessions.ts'

export const withSession = (event: CollectedEvent, session: Session): CollectedEvent => ({
  ...event,
  context: { ...event.context, session: { id: session.id, number: session.number } },
})

export interface SessionKeeperOptions {
  timeoutMinutes: number
  receivedAt: Date
  /** The consent key of the `tw_id` cookie's visitor: its session is the `tw_s` cookie's. */
  browserKey: string | undefined
  browserSession: Session | undefined
  /** Sessions kept in the consent table for the others. */
  stored: Map<string, Session>
  keepsSession: (key: string) => boolean
}

/**
 * Each visitor's session for this request, worked out once per visitor: the session cookie's for the
 * browser's own visitor, the stored one for the others, both continued or renewed by the timeout; a
 * visitor who allows neither purpose gets one for this request only and nothing is kept.
 */
export function sessionKeeper(options: SessionKeeperOptions) {
  const { receivedAt, timeoutMinutes } = options
  const current = new Map<string, Session>()
  const changed = new Map<string, Session>()
  const sessionOf = (key: string): Session => {
    const known = current.get(key)
    if (known) return known
    let session: Session
    if (!options.keepsSession(key)) session = requestSession(receivedAt)
    else if (key === options.browserKey)
      session = continueSession(options.browserSession, receivedAt, timeoutMinutes)
    else {
      const stored = options.stored.get(key)
      session = continueSession(stored, receivedAt, timeoutMinutes)
      if (sessionChanged(stored, session)) changed.set(key, session)
    }
    current.set(key, session)
    return session
  }
  return Object.assign(sessionOf, {
    /** The stored sessions to write: new ones, and those whose last activity moved by over a minute. */
    changed: (): ReadonlyMap<string, Session> => changed,
    /** The browser's own visitor's session, if this request had an event of theirs. */
    browser: (): Session | undefined => (options.browserKey ? current.get(options.browserKey) : undefined),
  })
}

export async function saveSessions(
  changed: ReadonlyMap<string, Session>,
  consents: Map<string, ConsentRecord | null>,
  sessions: SessionStore | undefined,
): Promise<void> {
  if (!sessions) return
  await Promise.all(
    [...changed].flatMap(([key, session]) => {
      const consent = consents.get(key)
      return consent ? [sessions.save(key, session, sessionItemExpiry(session, consent.expiresAt))] : []
    }),
  )
}

/**
 * The session cookie while the browser's visitor allows analytics or marketing (privacy §3.1); both
 * cookies cleared when a browser that sent them no longer may keep them (no consent, or erased).
 */
export function browserCookies(
  browser: FirstPartyCookies,
  browserKey: string | undefined,
  keepsSession: (key: string) => boolean,
  session: Session | undefined,
): string[] {
  if (browserKey && keepsSession(browserKey)) return session ? [sessionCookie(session)] : []
  return browser.present ? [...CLEARED_FIRST_PARTY_COOKIES] : []
}
