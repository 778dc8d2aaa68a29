import type { Purpose } from '#shared/consent/model.ts'
import type { KnownVersion, PolicyCatalogue } from './catalogue.ts'
import { indexOfVersion } from './current.ts'

export type Coverage = { covered: true } | { covered: false; reason: string }

/** Does a consent recorded under `version` count for this vendor and purpose (privacy §11)? */
export interface PolicyCoverage {
  check(version: string, vendorId: string, purpose: Purpose): Coverage
}

/** Before §11 every version counted for everything: what a caller that reads no versions gets (tests). */
export const EVERY_VERSION_COVERS_ALL: PolicyCoverage = { check: () => ({ covered: true }) }

const coversPair = (version: KnownVersion, vendorId: string, purpose: Purpose): boolean =>
  version.coversEverything === true ||
  (Object.hasOwn(version.covers, vendorId) && (version.covers[vendorId]?.includes(purpose) ?? false))

/**
 * A consent counts only for what the text it was given under covered: a vendor or purpose a later
 * version adds needs a fresh consent (GDPR Art. 7), and a version nobody published covers nothing.
 */
export function coverageOf(catalogue: PolicyCatalogue): PolicyCoverage {
  return {
    check(version, vendorId, purpose) {
      const index = indexOfVersion(catalogue, version)
      const known = catalogue.versions[index]
      if (!known) {
        return {
          covered: false,
          reason: `consent under policy ${version}, which is not a published version, covers nothing`,
        }
      }
      if (coversPair(known, vendorId, purpose)) return { covered: true }
      const addedBy = catalogue.versions
        .slice(index + 1)
        .find((later) => coversPair(later, vendorId, purpose))
      const added = addedBy ? ` (added by ${addedBy.version})` : ''
      return {
        covered: false,
        reason: `consent under policy ${version} does not cover ${vendorId} for ${purpose}${added}`,
      }
    },
  }
}
