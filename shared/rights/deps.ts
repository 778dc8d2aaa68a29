import type { ConsentStore } from '#shared/consent/store.ts'
import type { TraitStore } from '#shared/identity/trait-store.ts'
import type { RightsStore } from './store.ts'

/** What the restriction, objection and rectification services run with. */
export interface RightsStateDeps {
  /** Key of the HMAC that turns a visitor id into the consent key; no store sees the id. */
  pseudonymKey: string
  stores: {
    rights: RightsStore
    consent: Pick<ConsentStore, 'current'>
    traits: Pick<TraitStore, 'remember' | 'forget'>
  }
  now: () => Date
  /** How long a rights state is kept after its last change: the consent retention. */
  retentionDays: number
}
