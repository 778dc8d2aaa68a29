import type { LastDeliveryStore, Redriver, VendorStatusSource } from '#shared/admin/ports.ts'
import type { LocalQueues } from './queues.ts'

const MS_PER_SECOND = 1000

/**
 * The local queues' live figures, as the admin sees the SQS ones: waiting and in-flight messages, the
 * age of the oldest (from its send time), the dead letters and the deliverer's last batch. A last
 * outcome that cannot be read is null, so status never fails the admin's list.
 */
export function localQueueStatus(options: {
  queues: LocalQueues
  lastDelivery: LastDeliveryStore
  onError?: (error: unknown) => void
  now?: () => number
}): VendorStatusSource {
  const now = options.now ?? Date.now
  return {
    async statusOf(vendor) {
      const { visible, inFlight, oldestSentAt, deadLetters } = options.queues.status(vendor)
      const lastDelivery = await options.lastDelivery.read(vendor).catch((error: unknown) => {
        options.onError?.(error)
        return null
      })
      return {
        queue: {
          depth: visible,
          inFlight,
          oldestAgeSeconds:
            oldestSentAt === undefined
              ? null
              : Math.max(0, Math.floor((now() - oldestSentAt) / MS_PER_SECOND)),
        },
        deadLetters: { count: deadLetters },
        lastDelivery,
      }
    },
  }
}

/** Moves a vendor's dead letters back to its local queue at once (there is never a move under way). */
export function localRedriver(queues: LocalQueues): Redriver {
  return { redrive: async (vendor) => ({ moving: await queues.redrive(vendor) }) }
}
