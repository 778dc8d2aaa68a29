import type { VendorId } from '#shared/vendors/index.ts'
import type { LastDelivery, VendorStatus } from './api.ts'

/** A vendor pipeline's live figures: SQS and CloudWatch in AWS, the in-process queues locally. */
export interface VendorStatusSource {
  statusOf(vendor: VendorId): Promise<VendorStatus>
}

/** Moves a vendor's dead letters back to its queue; the deliverer re-checks consent at send time. */
export interface Redriver {
  redrive(vendor: VendorId): Promise<{ moving: number | null }>
}

/** A redrive is already moving this vendor's dead letters (the admin API answers 409). */
export class RedriveInProgressError extends Error {
  override name = 'RedriveInProgressError'
}

/** Where each deliverer leaves the outcome of its last batch (config table item, `pk = vendor-status`). */
export interface LastDeliveryStore {
  record(vendor: VendorId, last: LastDelivery): Promise<void>
  read(vendor: VendorId): Promise<LastDelivery | null>
}
