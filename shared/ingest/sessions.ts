import { newSessionId, type Session } from '#shared/identity/first-party-cookies.ts'

const SECONDS_PER_MINUTE = 60
const MILLISECONDS_PER_SECOND = 1000
const SECONDS_PER_DAY = 24 * 60 * 60
/** A stored session item is rewritten only when its last activity moved by more than this. */
export const SESSION_WRITE_STEP_SECONDS = 60
/** How long a visitor's session item outlives its last event (it carries the session number on). */
export const SESSION_ITEM_DAYS = 30

/**
 * The session item kept next to a visitor's consent (clients that bring their own ids), read in the
 * collector's batch with consent, rights and tombstone; written only for visitors allowing analytics or
 * marketing, and only when it changes.
 */
export interface SessionStore {
  /** Several visitors' sessions; keys without one are absent. */
  readMany?(consentKeys: ReadonlyArray<string>, now: Date): Promise<Map<string, Session>>
  save(consentKey: string, session: Session, expiresAt: Date): Promise<void>
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / MILLISECONDS_PER_SECOND)

/**
 * The session an event at `at` belongs to: the previous one while it has seen an event in the last
 * `timeoutMinutes`, else a new one with a fresh random id and the next number. A clock that went back
 * (an event older than the session's last) keeps the session and its last activity.
 */
export function continueSession(previous: Session | undefined, at: Date, timeoutMinutes: number): Session {
  const seconds = epochSeconds(at)
  if (previous && seconds - previous.lastAt <= timeoutMinutes * SECONDS_PER_MINUTE) {
    return { ...previous, lastAt: Math.max(previous.lastAt, seconds) }
  }
  return { id: newSessionId(), number: (previous?.number ?? 0) + 1, startedAt: seconds, lastAt: seconds }
}

/** A stored session needs writing: it is new, or its last activity moved by more than a minute. */
export function sessionChanged(stored: Session | undefined, next: Session): boolean {
  return !stored || stored.id !== next.id || next.lastAt - stored.lastAt > SESSION_WRITE_STEP_SECONDS
}

/** The item's TTL: SESSION_ITEM_DAYS after its last event, never past the consent it depends on. */
export function sessionItemExpiry(session: Session, consentExpiresAt: number): Date {
  const seconds = Math.min(consentExpiresAt, session.lastAt + SESSION_ITEM_DAYS * SECONDS_PER_DAY)
  return new Date(seconds * MILLISECONDS_PER_SECOND)
}

/** For an event whose visitor has no session kept (none allowed): one per request, shared by no one. */
export function requestSession(at: Date): Session {
  const seconds = epochSeconds(at)
  return { id: newSessionId(), number: 1, startedAt: seconds, lastAt: seconds }
}
