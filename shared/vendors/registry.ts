import type { TagwardenConfig } from '#shared/config/schema.ts'
import type { VendorPolicy } from '#shared/consent/decide.ts'
import type { CollectedEvent } from '#shared/events/model.ts'
import type { Pseudonyms } from '#shared/privacy/pseudonyms.ts'
import { GA4_PURPOSES, toGa4Payload } from './ga4.ts'
import { ga4AllowList } from './ga4-allow-list.ts'
import type { VendorId } from './vendor.ts'

export interface PayloadContext {
  pseudonyms: Pseudonyms
  /** The visitor allows marketing for this event (drives GA4's ad signals). */
  marketingAllowed: boolean
  now: Date
}

/** What the collector needs of a vendor: its consent policy and the minimised payload it queues. */
export interface CollectingVendor {
  id: VendorId
  /** The admin's settings for this vendor; null when it is not configured at all. */
  policy(config: TagwardenConfig): VendorPolicy | null
  /** The vendor-specific minimised payload, or null when the vendor takes nothing from this event. */
  toPayload(event: CollectedEvent, config: TagwardenConfig, context: PayloadContext): unknown | null
}

const ga4: CollectingVendor = {
  id: 'ga4',
  policy: (config) => {
    const settings = config.vendors.ga4
    if (!settings) return null
    return { id: 'ga4', enabled: settings.enabled, legalBasis: settings.legalBasis, purposes: GA4_PURPOSES }
  },
  toPayload: (event, config, context) =>
    toGa4Payload(event, {
      clientId: context.pseudonyms.ga4ClientId(event.visitorId),
      marketingAllowed: context.marketingAllowed,
      sendTruncatedIp: config.vendors.ga4?.sendTruncatedIp ?? false,
      now: context.now,
      allowList: ga4AllowList(config.vendors.ga4),
    }),
}

export const COLLECTING_VENDORS: ReadonlyArray<CollectingVendor> = [ga4]

/** A vendor's policy, or a switched-off one when it is not configured, so decisions still carry a reason. */
export function vendorPolicy(config: TagwardenConfig, id: VendorId): VendorPolicy {
  const vendor = COLLECTING_VENDORS.find((candidate) => candidate.id === id)
  return vendor?.policy(config) ?? { id, enabled: false, legalBasis: 'consent', purposes: {} }
}
