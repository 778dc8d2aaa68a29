import { currentVersion } from '#shared/policy/current.ts'
import { noticeState } from '#shared/policy/notice-window.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { type ConsentDeps, type ConsentReceipt, policyCatalogueOf, recordConsent } from './service.ts'

export type ObjectionOutcome =
  | { ok: true; receipt: ConsentReceipt }
  /** The version objected to is not the one in force: the request is at fault. */
  | { ok: false; problem: 'not-current'; message: string }
  /** No objection window is open for this visitor: revoking (DELETE) is still possible. */
  | { ok: false; problem: 'window-closed'; message: string }

const REVOKE_HINT = 'DELETE /v1/consent/{anonymousId} revokes consent at any time'

/**
 * The visitor objects to the current version's notice (privacy §11): within its window that revokes
 * every purpose, recorded under the new version and marked with what was objected to.
 */
export async function objectToPolicy(
  siteId: string,
  anonymousId: string,
  objectedVersion: string,
  deps: ConsentDeps,
): Promise<ObjectionOutcome> {
  const now = deps.now()
  const catalogue = await policyCatalogueOf(deps)
  const current = currentVersion(catalogue, now)
  if (objectedVersion !== current.version) {
    return {
      ok: false,
      problem: 'not-current',
      message: `is not the policy version in force (${current.version})`,
    }
  }
  const stored = await deps.store.current(consentKey(deps.pseudonymKey, siteId, anonymousId), now)
  const state = stored ? noticeState(catalogue, stored.policyVersion, now) : undefined
  if (!state?.open) {
    const why =
      state?.why === 'closed'
        ? `the objection window for policy ${current.version} closed at ${state.deadline}`
        : `no notice of policy ${current.version} is pending for this visitor`
    return { ok: false, problem: 'window-closed', message: `${why}; ${REVOKE_HINT}` }
  }
  const receipt = await recordConsent(
    siteId,
    anonymousId,
    { analytics: false, marketing: false },
    deps,
    current.version,
  )
  return { ok: true, receipt }
}
