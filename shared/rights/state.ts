import { PURPOSES, type Purpose } from '#shared/consent/model.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { RightsState } from './api.ts'
import type { RightsStateDeps } from './deps.ts'
import type { Visitor, VisitorRights } from './ports.ts'
import { rectifyTraits } from './rectify.ts'
import { NO_RIGHTS_EXERCISED } from './store.ts'

const MILLISECONDS_PER_DAY = 24 * 60 * 60 * 1000

const keyOf = (deps: RightsStateDeps, visitor: Visitor) =>
  consentKey(deps.pseudonymKey, visitor.siteId, visitor.anonymousId)

/** Every change refreshes the expiry: a state is kept for the retention after it was last set. */
function changeAt(deps: RightsStateDeps) {
  const now = deps.now()
  return { now, expiresAt: new Date(now.getTime() + deps.retentionDays * MILLISECONDS_PER_DAY) }
}

/** Art. 18: `true` keeps everything and forwards nothing, queued events included; `false` lifts it. */
export function restrict(deps: RightsStateDeps, visitor: Visitor, restricted: boolean): Promise<RightsState> {
  return deps.stores.rights.update(
    keyOf(deps, visitor),
    (current) => ({ objections: current?.objections ?? {}, restricted }),
    changeAt(deps),
  )
}

/** Art. 21, per purpose: `true` objects, `false` withdraws the objection; purposes not named stay. */
export function object(
  deps: RightsStateDeps,
  visitor: Visitor,
  purposes: Partial<Record<Purpose, boolean>>,
): Promise<RightsState> {
  return deps.stores.rights.update(
    keyOf(deps, visitor),
    (current) => {
      const objections = { ...current?.objections }
      for (const purpose of PURPOSES) {
        if (purposes[purpose] === true) objections[purpose] = true
        else if (purposes[purpose] === false) delete objections[purpose]
      }
      return { restricted: current?.restricted ?? false, objections }
    },
    changeAt(deps),
  )
}

/** The visitor's restriction and objections as stored (nothing set: not restricted, no objection); for the export. */
export async function rightsState(
  deps: Pick<RightsStateDeps, 'pseudonymKey' | 'stores' | 'now'>,
  visitor: Visitor,
): Promise<RightsState> {
  return (
    (await deps.stores.rights.read(
      consentKey(deps.pseudonymKey, visitor.siteId, visitor.anonymousId),
      deps.now(),
    )) ?? NO_RIGHTS_EXERCISED
  )
}

/** The restriction, objection and rectification parts of the visitors' rights. */
export function visitorRightsState(
  deps: RightsStateDeps,
): Pick<VisitorRights, 'restrict' | 'object' | 'rectify'> {
  return {
    restrict: (visitor, restricted) => restrict(deps, visitor, restricted),
    object: (visitor, purposes) => object(deps, visitor, purposes),
    rectify: (visitor, traits) => rectifyTraits(deps, visitor, traits),
  }
}
