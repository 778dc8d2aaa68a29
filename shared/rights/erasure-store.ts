import type { ErasureStatus } from './ports.ts'

export type VendorErasureState = ErasureStatus['vendors'][string]['state']

/** Where erasures are carried out and tracked (the consent table; shared/adapters/dynamodb-erasure-store.ts). */
export interface ErasureStore {
  /**
   * Deletes every item of the visitor's partition and leaves only a tombstone (sk `erased`) until
   * `tombstoneExpiresAt` (epoch seconds), so what is still queued for them is withheld.
   */
  eraseVisitor(consentKey: string, tombstoneExpiresAt: number): Promise<void>
  /** A tombstone in force at `now`: nothing may be forwarded for this visitor. */
  isErased(consentKey: string, now: Date): Promise<boolean>
  /** Records a new erasure's status, kept until `expiresAt` (epoch seconds). */
  begin(status: ErasureStatus, consentKey: string, expiresAt: number): Promise<void>
  /** One vendor's part settled (or, `pending`, retried with the reason). */
  settle(erasureId: string, vendor: string, state: VendorErasureState, detail?: string): Promise<void>
  /** The erasure's status and whose it is, or null when unknown or expired. */
  read(erasureId: string, now: Date): Promise<{ status: ErasureStatus; consentKey: string } | null>
}

/** The whole request's state from its vendors' states: failed if any failed, pending while any is. */
export function overallState(vendors: ErasureStatus['vendors']): ErasureStatus['state'] {
  const states = Object.values(vendors).map((vendor) => vendor.state)
  if (states.includes('failed')) return 'failed'
  if (states.includes('pending')) return 'pending'
  return 'done'
}
