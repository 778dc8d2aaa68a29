import { MAX_USER_AGENT_LENGTH } from '#shared/events/limits.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { readAllowedCookies } from './cookies.ts'
import { checkFbc, checkFbp, checkHubspotUtk, checkLiFatId, fbcFromFbclid } from './formats.ts'
import { landingClickIds } from './landing-url.ts'
import { MAX_TRAIT_VALUE_LENGTH } from './limits.ts'
import { HASHED_TRAIT_KINDS, type TraitKind } from './normalise.ts'

/** Where the edge finds identity: the validated event (not yet anonymised) and the request around it. */
export interface IdentitySources {
  /** Validated, NOT yet anonymised: its page URL still carries `fbclid` / `li_fat_id`. */
  event: IncomingEvent
  /** API Gateway v2 `event.cookies`: `["name=value", …]`. */
  cookies: ReadonlyArray<string> | undefined
  /** A raw `Cookie` header, for callers that have no `cookies` array. */
  cookieHeader?: string
  /** The request's `User-Agent` header. */
  userAgent: string | undefined
  receivedAt: Date
}

/** Raw identify traits, as the client sent them (bounded, not yet normalised). */
export type RawTraits = Partial<Record<TraitKind, string>>

/**
 * The allow-listed identity of one event: raw traits (clear text), the full user agent and the
 * vendors' ids (already checked against their formats). It lives in the collector's memory only and
 * NEVER leaves it: never logged, queued, stored or sent. Only deriveIdentity's output, per vendor,
 * goes on. Serialising it (JSON.stringify, util.inspect) shows nothing of its values.
 */
export interface IdentityCandidates {
  readonly traits: Readonly<RawTraits>
  readonly userAgent?: string
  readonly fbp?: string
  readonly fbc?: string
  readonly liFatId?: string
  readonly hubspotutk?: string
}

/**
 * Segment's spellings of each trait, tried in order: a path of keys into `traits`. `context.traits`
 * is not read: the event schema does not keep it.
 */
const TRAIT_SPELLINGS: Readonly<Record<TraitKind, ReadonlyArray<ReadonlyArray<string>>>> = {
  email: [['email']],
  phone: [['phone']],
  firstName: [['firstName'], ['first_name']],
  lastName: [['lastName'], ['last_name']],
  city: [['address', 'city'], ['city']],
  postcode: [['address', 'postalCode'], ['postalCode'], ['zip']],
  country: [['address', 'country'], ['country']],
}

/** Traits clients may send as numbers (`phone: 4915112345678`, `zip: 94107`). */
const NUMERIC_TRAITS: ReadonlySet<TraitKind> = new Set(['phone', 'postcode'])

const CONTROL_CHARACTER = /\p{Cc}/u

const REDACTED = '[identity: never serialised]'
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** Frozen, and shows nothing of its values when serialised or inspected. */
function redacted<T extends object>(value: T): Readonly<T> {
  Object.defineProperty(value, 'toJSON', { value: () => REDACTED, enumerable: false })
  Object.defineProperty(value, INSPECT, { value: () => REDACTED, enumerable: false })
  return Object.freeze(value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function at(traits: Record<string, unknown>, path: ReadonlyArray<string>): unknown {
  let value: unknown = traits
  for (const key of path) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) return undefined
    value = value[key]
  }
  return value
}

function usableTrait(kind: TraitKind, value: unknown): string | undefined {
  if (typeof value === 'number' && NUMERIC_TRAITS.has(kind) && Number.isSafeInteger(value) && value >= 0) {
    return String(value)
  }
  if (typeof value !== 'string' || value.length > MAX_TRAIT_VALUE_LENGTH || value.trim() === '')
    return undefined
  return value
}

/** The usable raw traits of an identify `traits` object, by kind (also what rectification reads). */
export function rawTraits(traits: Record<string, unknown>): RawTraits {
  const found: RawTraits = {}
  for (const kind of HASHED_TRAIT_KINDS) {
    for (const path of TRAIT_SPELLINGS[kind]) {
      const value = usableTrait(kind, at(traits, path))
      if (value !== undefined) {
        found[kind] = value
        break
      }
    }
  }
  return found
}

/** The full user agent, as Meta wants it; absent when empty, oversized or holding control characters. */
function fullUserAgent(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined
  const userAgent = header.trim()
  if (userAgent === '' || userAgent.length > MAX_USER_AGENT_LENGTH) return undefined
  return CONTROL_CHARACTER.test(userAgent) ? undefined : userAgent
}

/**
 * The allow-listed identity of one event, taken before anything is scrubbed: cookies `_fbp`, `_fbc`,
 * `li_fat_id`, `hubspotutk`; `fbclid` and `li_fat_id` from the page URL; the traits e-mail, phone,
 * names, city, postcode and country; the `User-Agent` header. Invalid ids are absent. `_fbc` falls
 * back to one built from `fbclid`; `li_fat_id` prefers the landing URL, which carries this click.
 */
export function extractIdentity(sources: IdentitySources): IdentityCandidates {
  const cookies = readAllowedCookies(sources.cookies, sources.cookieHeader)
  const landing = landingClickIds(sources.event.context.page?.url)
  const found: {
    -readonly [K in keyof IdentityCandidates]: IdentityCandidates[K]
  } = { traits: redacted(rawTraits(sources.event.traits)) }
  const userAgent = fullUserAgent(sources.userAgent)
  const fbp = checkFbp(cookies._fbp)
  const fbc = checkFbc(cookies._fbc) ?? fbcFromFbclid(landing.fbclid, sources.receivedAt)
  const liFatId = landing.liFatId ?? checkLiFatId(cookies.li_fat_id)
  const hubspotutk = checkHubspotUtk(cookies.hubspotutk)
  if (userAgent) found.userAgent = userAgent
  if (fbp) found.fbp = fbp
  if (fbc) found.fbc = fbc
  if (liFatId) found.liFatId = liFatId
  if (hubspotutk) found.hubspotutk = hubspotutk
  return redacted(found)
}
