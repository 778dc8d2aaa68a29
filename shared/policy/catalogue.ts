import type { Purpose } from '#shared/consent/model.ts'
import type { PurposeByEvent } from '#shared/vendors/contract.ts'
import { VENDORS } from '#shared/vendors/index.ts'
import type { PolicyVersion } from './versions.ts'

/** A version as the consent rules use it: when it took effect and what it covers. */
export interface KnownVersion {
  version: string
  /** Milliseconds since the epoch; -Infinity for the deployment's implicit first version. */
  effectiveAtMs: number
  covers: Partial<Record<string, ReadonlyArray<Purpose>>>
}

/** Every version a stored consent may name, oldest first (by effective date). */
export interface PolicyCatalogue {
  versions: ReadonlyArray<KnownVersion>
}

export interface DeclaredVendor {
  id: string
  purposes: PurposeByEvent
}

/**
 * The deployment's `policyVersion` before any version was published: it covers every vendor for
 * every purpose the vendor declares, and has been in effect since forever.
 */
export function implicitVersion(
  version: string,
  vendors: ReadonlyArray<DeclaredVendor> = VENDORS,
): KnownVersion {
  const covers = Object.fromEntries(
    vendors.map((vendor) => [vendor.id, [...new Set(Object.values(vendor.purposes))]]),
  )
  return { version, effectiveAtMs: Number.NEGATIVE_INFINITY, covers }
}

const compareVersions = (
  a: { effectiveAtMs: number; publishedAt: string; version: string },
  b: { effectiveAtMs: number; publishedAt: string; version: string },
): number =>
  a.effectiveAtMs - b.effectiveAtMs ||
  a.publishedAt.localeCompare(b.publishedAt) ||
  a.version.localeCompare(b.version)

/**
 * The published versions plus the implicit one (unless a published item has its name). A version
 * whose effective date does not parse is left out: nothing can be recorded under it.
 */
export function policyCatalogue(
  published: ReadonlyArray<PolicyVersion>,
  deploymentVersion: string,
  vendors: ReadonlyArray<DeclaredVendor> = VENDORS,
): PolicyCatalogue {
  const dated = published
    .map((item) => ({ ...item, effectiveAtMs: Date.parse(item.effectiveAt) }))
    .filter((item) => Number.isFinite(item.effectiveAtMs))
    .sort(compareVersions)
    .map(({ version, effectiveAtMs, covers }): KnownVersion => ({ version, effectiveAtMs, covers }))
  const implicit = dated.some((item) => item.version === deploymentVersion)
    ? []
    : [implicitVersion(deploymentVersion, vendors)]
  return { versions: [...implicit, ...dated] }
}
