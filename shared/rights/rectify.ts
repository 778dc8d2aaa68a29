import { hashedTraitsOf } from '#shared/identity/derive.ts'
import { rawTraits } from '#shared/identity/extract.ts'
import { HASHED_TRAIT_KINDS } from '#shared/identity/kinds.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { RightsStateDeps } from './deps.ts'
import type { Visitor } from './ports.ts'

const MILLISECONDS_PER_SECOND = 1000

/** Traits are kept only while the visitor's stored consent allows marketing: none can be rectified (409). */
export class TraitsNotKeptError extends Error {
  override name = 'TraitsNotKeptError'
  constructor() {
    super('identity traits are kept only while the stored consent allows marketing; none are kept')
  }
}

/** A trait that cannot be normalised (an implausible e-mail, say): nothing is replaced (400). */
export class InvalidTraitError extends Error {
  override name = 'InvalidTraitError'
  constructor(readonly field: string) {
    super(`${field} cannot be normalised and hashed`)
  }
}

/**
 * Art. 16: replaces the kept traits with these, normalised and hashed as identify's are (the same
 * spellings, `address.city` included); an empty object removes them. Kept until the consent expires.
 */
export async function rectifyTraits(
  deps: RightsStateDeps,
  visitor: Visitor,
  traits: Record<string, unknown>,
): Promise<void> {
  const key = consentKey(deps.pseudonymKey, visitor.siteId, visitor.anonymousId)
  const stored = await deps.stores.consent.current(key, deps.now())
  if (stored?.purposes.marketing !== true) throw new TraitsNotKeptError()
  const raw = rawTraits(traits)
  const hashed = hashedTraitsOf({ traits: raw })
  for (const kind of HASHED_TRAIT_KINDS) {
    if (raw[kind] !== undefined && hashed[kind] === undefined) throw new InvalidTraitError(`traits.${kind}`)
  }
  if (Object.keys(raw).length === 0 && Object.keys(traits).length > 0) {
    throw new InvalidTraitError('traits')
  }
  // Forget, then remember: remember merges, and a rectification replaces every kind.
  await deps.stores.traits.forget(key)
  if (Object.keys(hashed).length === 0) return
  await deps.stores.traits.remember(key, hashed, new Date(stored.expiresAt * MILLISECONDS_PER_SECOND))
}
