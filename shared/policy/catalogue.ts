import type { Purpose } from '#shared/consent/model.ts'
import type { PolicyVersion } from './versions.ts'

/** A version as the consent rules use it: when it took effect and what it covers. */
export interface KnownVersion {
  version: string
  /** Milliseconds since the epoch; -Infinity for the deployment's implicit first version. */
  effectiveAtMs: number
  covers: Partial<Record<string, ReadonlyArray<Purpose>>>
  /** The deployment's implicit first version: every vendor, every purpose (none is listed). */
  coversEverything?: true
}

/** Every version a stored consent may name, oldest first (by effective date). */
export interface PolicyCatalogue {
  versions: ReadonlyArray<KnownVersion>
}

/**
 * The deployment's `policyVersion` before any version was published: it covers every vendor for
 * every purpose (the purposes its events need and its extras, such as GA4's ad signals under
 * marketing), and has been in effect since forever.
 */
export function implicitVersion(version: string): KnownVersion {
  // Said without listing the vendors, so the consent function's bundle carries no vendor code.
  return { version, effectiveAtMs: Number.NEGATIVE_INFINITY, covers: {}, coversEverything: true }
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
): PolicyCatalogue {
  const dated = published
    .map((item) => ({ ...item, effectiveAtMs: Date.parse(item.effectiveAt) }))
    .filter((item) => Number.isFinite(item.effectiveAtMs))
    .sort(compareVersions)
    .map(({ version, effectiveAtMs, covers }): KnownVersion => ({ version, effectiveAtMs, covers }))
  const implicit = dated.some((item) => item.version === deploymentVersion)
    ? []
    : [implicitVersion(deploymentVersion)]
  return { versions: [...implicit, ...dated] }
}
