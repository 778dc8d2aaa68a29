import type { VendorStatus } from '#shared/admin/api.ts'
import type { Redriver, VendorStatusSource } from '#shared/admin/ports.ts'
import { ClientError } from '#shared/http/errors.ts'
import type { LocalQueues } from './queues.ts'

/**
 * A minimal status source over the in-process queues: queue depth and dead-letter count. What the
 * local queues do not tell (in flight, oldest age, last delivery) is null, as the contract allows.
 */
export function localVendorStatus(queues: LocalQueues): VendorStatusSource {
  return {
    statusOf: async (vendor): Promise<VendorStatus> => ({
      queue: { depth: queues.size(vendor), inFlight: null, oldestAgeSeconds: null },
      deadLetters: { count: queues.deadLettered(vendor).length },
      lastDelivery: null,
    }),
  }
}

/** Until the local queues can move dead letters back, a redrive answers 501 (its audit entry stays). */
export const localRedriverUnavailable: Redriver = {
  redrive: async (vendor) => {
    throw new ClientError(
      501,
      `redrive of ${vendor}'s dead letters is not available in the local runtime yet`,
    )
  },
}
