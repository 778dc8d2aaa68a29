import type { ConsentRecord } from '#shared/consent/model.ts'
import type { Session } from '#shared/identity/first-party-cookies.ts'
import type { RightsState } from './api.ts'

/** What a change makes of the stored state: everything but the time, which the store sets. */
export type RightsChange = (current: RightsState | null) => Omit<RightsState, 'updatedAt'>

/** A visitor's stored consent and rights, read together. */
export interface VisitorStanding {
  consent: ConsentRecord | null
  rights: RightsState | null
  /** The visitor erased their data (a tombstone stands): forward nothing, keep nothing. */
  erased: boolean
  /** The session kept for the visitor (sk `session`), when the store reads it in the same batch. */
  session?: Session
}

/**
 * Restriction and objections per visitor (consent key), kept apart from the consent decision so a
 * refused consent and an objection stay distinct. Expired state reads as null (nothing set).
 */
export interface RightsStore {
  read(consentKey: string, now: Date): Promise<RightsState | null>
  /** Several visitors in as few round trips as the store allows; every key is in the answer. */
  readMany(consentKeys: ReadonlyArray<string>, now: Date): Promise<Map<string, RightsState | null>>
  /**
   * Stores `change` of the current state, atomically (a concurrent change is not lost), with the
   * expiry refreshed to `expiresAt`; answers the state stored.
   */
  update(consentKey: string, change: RightsChange, at: { now: Date; expiresAt: Date }): Promise<RightsState>
  forget(consentKey: string): Promise<void>
  /**
   * Consent and rights of several visitors in one batch read. Only a store that shares the consent
   * store's table offers it (DynamoDB: both sort keys in one BatchGetItem), so collecting keeps its
   * round trips.
   */
  readManyWithConsent?(consentKeys: ReadonlyArray<string>, now: Date): Promise<Map<string, VisitorStanding>>
}

/** Nothing set: what a visitor without a stored state stands under. */
export const NO_RIGHTS_EXERCISED: RightsState = { restricted: false, objections: {} }
