import type { TagwardenConfig } from '#shared/config/schema.ts'
import { VENDOR_MAX_TIMEOUT_MS } from '#shared/vendors/contract.ts'
import { VENDOR_IDS, type VendorId, vendorById } from '#shared/vendors/index.ts'

/**
 * Vendors that get a delivery pipeline (queue, DLQ, deliverer, secret): every vendor in VENDORS
 * (shared/vendors/index.ts), configured or not, so an admin can switch one on without a deploy.
 */
export const DELIVERED_VENDORS = VENDOR_IDS
export type DeliveredVendor = VendorId

/** What the stack needs to know to size a vendor's delivery pipeline. */
export interface VendorDeliveryProfile {
  readonly label: string
  /** Messages handed to one deliverer invocation; the vendor's per-request event limit. */
  readonly batchSize: number
  /** How long SQS gathers messages to fill a batch before invoking the deliverer. */
  readonly batchingWindowSeconds: number
  /**
   * The request timeout the deliverer is sized for: the seeded settings' `timeoutMs`, or the most any
   * settings may ask for when the deployment seeds none (an admin may configure the vendor later).
   */
  readonly requestTimeoutMs: number
  /** The secret's JSON with empty values, created for ops to fill in. */
  readonly credentialsTemplate: Readonly<Record<string, ''>>
}

export function vendorDeliveryProfile(vendor: VendorId, runtime: TagwardenConfig): VendorDeliveryProfile {
  const definition = vendorById(vendor)
  if (!definition) throw new Error(`no vendor ${vendor}`)
  return {
    label: definition.label,
    batchSize: definition.profile.batchSize,
    batchingWindowSeconds: definition.profile.batchingWindowSeconds,
    requestTimeoutMs: runtime.vendors[vendor]?.timeoutMs ?? VENDOR_MAX_TIMEOUT_MS,
    credentialsTemplate: definition.credentialsTemplate,
  }
}
