import {
  VENDOR_SETTINGS_MAX_AGE_MS,
  VENDOR_SETTINGS_MAX_STALE_MS,
  VENDOR_SETTINGS_RETRY_INTERVAL_MS,
} from '#shared/vendors/settings-store.ts'
import type { PolicyVersions } from './port.ts'
import type { PolicyVersion } from './versions.ts'

/** Same bounds as vendor settings: a version an admin publishes is seen within 30 s. */
export const POLICY_VERSIONS_MAX_AGE_MS = VENDOR_SETTINGS_MAX_AGE_MS

export interface PolicyVersionsCacheOptions {
  /** How long one read serves; default and maximum POLICY_VERSIONS_MAX_AGE_MS. */
  maxAgeMs?: number
  /** Milliseconds since the epoch. */
  now: () => number
  /** Told of a failed read served stale. */
  onError?: (error: unknown) => void
}

/** The versions could not be read and no earlier read may be served instead. */
export class PolicyVersionsReadError extends Error {
  override name = 'PolicyVersionsReadError'
}

/**
 * Published versions read through a cache: one read per window, shared by concurrent callers; a
 * failed read serves the last one for up to VENDOR_SETTINGS_MAX_STALE_MS, retried at most once a second.
 */
export function cachedPolicyVersions(
  source: PolicyVersions,
  options: PolicyVersionsCacheOptions,
): PolicyVersions {
  const maxAgeMs = options.maxAgeMs ?? POLICY_VERSIONS_MAX_AGE_MS
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0 || maxAgeMs > POLICY_VERSIONS_MAX_AGE_MS) {
    throw new RangeError(`maxAgeMs must be between 0 and ${POLICY_VERSIONS_MAX_AGE_MS}, got ${maxAgeMs}`)
  }
  const { now, onError = () => {} } = options
  let snapshot: { versions: ReadonlyArray<PolicyVersion>; readAt: number } | undefined
  let inFlight: Promise<ReadonlyArray<PolicyVersion>> | undefined
  let retryNotBefore = Number.NEGATIVE_INFINITY
  const servable = (at: number) =>
    snapshot !== undefined && at - snapshot.readAt < maxAgeMs + VENDOR_SETTINGS_MAX_STALE_MS

  async function read(): Promise<ReadonlyArray<PolicyVersion>> {
    const readAt = now()
    try {
      const versions = await source.published()
      snapshot = { versions, readAt }
      return versions
    } catch (error) {
      const failedAt = now()
      retryNotBefore = failedAt + VENDOR_SETTINGS_RETRY_INTERVAL_MS
      if (!snapshot || !servable(failedAt)) {
        throw new PolicyVersionsReadError('Policy versions could not be read', { cause: error })
      }
      onError(
        new PolicyVersionsReadError(
          `Policy versions could not be read; serving the read of ${failedAt - snapshot.readAt} ms ago`,
          { cause: error },
        ),
      )
      return snapshot.versions
    }
  }

  return {
    published() {
      const at = now()
      if (snapshot && (at - snapshot.readAt < maxAgeMs || (servable(at) && at < retryNotBefore))) {
        return Promise.resolve(snapshot.versions)
      }
      inFlight ??= read().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
  }
}
