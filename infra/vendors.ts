import type { TagwardenConfig } from '#shared/config/schema.ts'
import { VENDOR_IDS, type VendorId } from '#shared/vendors/vendor.ts'

/**
 * Vendors that get a delivery pipeline (queue, DLQ, deliverer, secret): every vendor the code knows
 * (shared/vendors/vendor.ts). Adding one there makes this file require its profile below; its runtime
 * settings live in shared/config/schema.ts.
 */
export const DELIVERED_VENDORS = VENDOR_IDS
export type DeliveredVendor = VendorId

/** What the stack needs to know to size a vendor's delivery pipeline. */
export interface VendorDeliveryProfile {
  /** Messages handed to one deliverer invocation; the vendor's per-request event limit. */
  readonly batchSize: number
  /** How long SQS gathers messages to fill a batch before invoking the deliverer. */
  readonly batchingWindowSeconds: number
  /** The vendor's HTTP request timeout from the runtime configuration; undefined when not configured. */
  readonly requestTimeoutMs: (runtime: TagwardenConfig) => number | undefined
}

/** GA4 Measurement Protocol accepts at most 25 events per request. */
const GA4_MAX_EVENTS_PER_REQUEST = 25

export const VENDOR_DELIVERY: Record<DeliveredVendor, VendorDeliveryProfile> = {
  ga4: {
    batchSize: GA4_MAX_EVENTS_PER_REQUEST,
    batchingWindowSeconds: 5,
    requestTimeoutMs: (runtime) => runtime.vendors.ga4?.timeoutMs,
  },
}
