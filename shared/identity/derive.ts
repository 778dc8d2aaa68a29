import type { IdentityCandidates } from './extract.ts'
import type { GrantedIdentity, HashedTraits, IdentityKind } from './kinds.ts'
import { HASHED_TRAIT_KINDS, hashTrait, isSha256Hex, type TraitKind } from './normalise.ts'

export interface DeriveExtras {
  /** The vendor's keyed pseudonym of the visitor (64 hex); called only when the vendor declares `externalId`. */
  externalId?: () => string
  /** Hashes remembered from an earlier identify call, used where this event carries no such trait. */
  storedTraits?: HashedTraits
}

/** The pseudonym function handed in broke its contract: a bug, not an outcome. */
export class ExternalIdError extends Error {
  override name = 'ExternalIdError'
}

const TRAIT_KINDS: ReadonlySet<IdentityKind> = new Set(HASHED_TRAIT_KINDS)

function isTraitKind(kind: IdentityKind): kind is TraitKind {
  return TRAIT_KINDS.has(kind)
}

function storedHash(stored: HashedTraits | undefined, kind: TraitKind): string | undefined {
  const hash = stored?.[kind]
  return hash !== undefined && isSha256Hex(hash) ? hash : undefined
}

function traitHash(candidates: IdentityCandidates, kind: TraitKind): string | undefined {
  const raw = candidates.traits[kind]
  return raw === undefined ? undefined : hashTrait(kind, raw)
}

function externalIdOf(compute: (() => string) | undefined): string | undefined {
  if (!compute) return undefined
  const id = compute()
  if (!isSha256Hex(id)) throw new ExternalIdError('A vendor pseudonym must be 64 lowercase hex characters')
  return id
}

function idFromRequest(
  candidates: IdentityCandidates,
  kind: Exclude<IdentityKind, TraitKind | 'externalId'>,
): string | undefined {
  switch (kind) {
    case 'userAgent':
      return candidates.userAgent
    case 'fbp':
      return candidates.fbp
    case 'fbc':
      return candidates.fbc
    case 'liFatId':
      return candidates.liFatId
    case 'hubspotutk':
      return candidates.hubspotutk
  }
}

/**
 * What one vendor receives: only the `kinds` it declares, each in its final form. Traits are hashed
 * from this event, else taken from `storedTraits`; the external id is computed only when declared.
 */
export function deriveIdentity(
  candidates: IdentityCandidates,
  kinds: ReadonlyArray<IdentityKind>,
  extras: DeriveExtras = {},
): GrantedIdentity {
  const granted: GrantedIdentity = {}
  for (const kind of new Set(kinds)) {
    const value = isTraitKind(kind)
      ? (traitHash(candidates, kind) ?? storedHash(extras.storedTraits, kind))
      : kind === 'externalId'
        ? externalIdOf(extras.externalId)
        : idFromRequest(candidates, kind)
    if (value !== undefined) granted[kind] = value
  }
  return granted
}

/** The hashes an identify call lets the trait store remember: every trait of this event that hashes. */
export function hashedTraitsOf(candidates: IdentityCandidates): HashedTraits {
  const hashed: HashedTraits = {}
  for (const kind of HASHED_TRAIT_KINDS) {
    const hash = traitHash(candidates, kind)
    if (hash !== undefined) hashed[kind] = hash
  }
  return hashed
}
