import type { ConsentRecord } from '#shared/consent/model.ts'
import type { CollectedEvent } from '#shared/events/model.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { deriveIdentity, hashedTraitsOf } from '#shared/identity/derive.ts'
import { extractIdentity, type IdentityCandidates } from '#shared/identity/extract.ts'
import type { GrantedIdentity, HashedTraits, IdentityKind } from '#shared/identity/kinds.ts'
import { HASHED_TRAIT_KINDS } from '#shared/identity/normalise.ts'
import type { TraitStore } from '#shared/identity/trait-store.ts'
import { vendorPseudonym } from '#shared/privacy/pseudonym.ts'

const MILLISECONDS_PER_SECOND = 1000
const TRAIT_KINDS: ReadonlySet<IdentityKind> = new Set(HASHED_TRAIT_KINDS)

export interface EdgeRequest {
  /** API Gateway v2 `cookies` (`name=value` each). */
  cookies?: ReadonlyArray<string> | undefined
  cookieHeader?: string | undefined
  userAgent?: string | undefined
}

export interface EdgeIdentityOptions {
  /** The identity kinds of the vendors switched on for this request; none: nothing is extracted. */
  kinds: ReadonlyArray<IdentityKind>
  request: EdgeRequest
  receivedAt: Date
  pseudonymKey: string
  siteId: string
  /** Where hashed identify traits are kept with the consent record. Absent: traits last one event. */
  traits?: TraitStore | undefined
}

/**
 * Identity at the edge for one request: raw identifiers are read from the request and event before
 * anonymisation, kept in memory only, and each permitted vendor receives only the kinds it declares,
 * hashed or checked. Nothing is extracted when no vendor switched on takes identity (GA4 alone).
 */
export function edgeIdentity(options: EdgeIdentityOptions) {
  const active = options.kinds.length > 0
  const wantsTraits = options.kinds.some((kind) => TRAIT_KINDS.has(kind))
  const candidatesOf = new WeakMap<CollectedEvent, IdentityCandidates>()
  let stored = new Map<string, HashedTraits>()

  return {
    /** Reads the allow-listed identifiers of an accepted event, before its raw form is dropped. */
    note(event: CollectedEvent, incoming: IncomingEvent): void {
      if (!active) return
      const { request } = options
      candidatesOf.set(
        event,
        extractIdentity({
          event: incoming,
          cookies: request.cookies,
          ...(request.cookieHeader ? { cookieHeader: request.cookieHeader } : {}),
          userAgent: request.userAgent,
          receivedAt: options.receivedAt,
        }),
      )
    },

    /** The traits remembered for these visitors (those allowing marketing), in one batch read. */
    async recall(consentKeys: ReadonlyArray<string>): Promise<void> {
      if (!wantsTraits || !options.traits || consentKeys.length === 0) return
      stored = await options.traits.recallMany(consentKeys, options.receivedAt)
    },

    /** What this vendor may receive about the event's visitor: only the kinds it declares. */
    grant(
      vendor: { id: string; identity: ReadonlyArray<IdentityKind> },
      event: CollectedEvent,
      consentKey: string,
    ): GrantedIdentity {
      const candidates = candidatesOf.get(event)
      if (!candidates || vendor.identity.length === 0) return {}
      const storedTraits = stored.get(consentKey)
      return deriveIdentity(candidates, vendor.identity, {
        externalId: () => vendorPseudonym(options.pseudonymKey, vendor.id, options.siteId, event.visitorId),
        ...(storedTraits ? { storedTraits } : {}),
      })
    },

    /**
     * Keeps the hashed traits of identify calls whose visitor allows marketing, with the consent
     * record's expiry, so later events can carry them; a visitor who does not allow marketing keeps none.
     */
    async remember(
      identified: ReadonlyArray<{ event: CollectedEvent; consentKey: string; consent: ConsentRecord }>,
    ): Promise<void> {
      if (!wantsTraits || !options.traits) return
      const traits = options.traits
      await Promise.all(
        identified.flatMap(({ event, consentKey, consent }) => {
          const candidates = candidatesOf.get(event)
          const hashed = candidates ? hashedTraitsOf(candidates) : {}
          if (Object.keys(hashed).length === 0) return []
          const expiresAt = new Date(consent.expiresAt * MILLISECONDS_PER_SECOND)
          return [traits.remember(consentKey, hashed, expiresAt)]
        }),
      )
    },
  }
}
