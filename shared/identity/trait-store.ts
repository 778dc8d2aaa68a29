import { HASHED_TRAIT_KINDS, type HashedTraits } from './kinds.ts'

/**
 * Hashed identify traits kept per visitor (consent key), so later events of the visitor can carry
 * them. Whether they may be kept (marketing allowed) and erasing them with the consent record is the
 * caller's rule; the store only keeps, merges, expires and deletes.
 */
export interface TraitStore {
  /** Merges `traits` over what is kept (a later identify adds or replaces kinds); refreshes the expiry. */
  remember(consentKey: string, traits: HashedTraits, expiresAt: Date): Promise<void>
  /** The unexpired traits of each visitor that has any; visitors without are absent from the map. */
  recallMany(consentKeys: ReadonlyArray<string>, now: Date): Promise<Map<string, HashedTraits>>
  forget(consentKey: string): Promise<void>
}

/** `update` over `kept`: a kind in `update` replaces the kept one, the others stay. */
export function mergeTraits(kept: HashedTraits, update: HashedTraits): HashedTraits {
  const merged: HashedTraits = { ...kept }
  for (const kind of HASHED_TRAIT_KINDS) {
    const hash = update[kind]
    if (hash !== undefined) merged[kind] = hash
  }
  return merged
}
