import type { VendorId } from '#shared/vendors/index.ts'

/**
 * Vendors without a deletion API for what tagwarden sends them: where the visitor can act themselves,
 * quoted in the erasure status.
 */
const OPT_OUT: Partial<Record<VendorId, string>> = {
  meta: 'no deletion API for Conversions API events; the visitor can manage ad use of their data at https://www.facebook.com/adpreferences/ad_settings',
  linkedin:
    'no deletion API for Conversions API events; the visitor can opt out of ads based on their data at https://www.linkedin.com/mypreferences/d/categories/ads',
}

export function noDeletionApiDetail(vendor: VendorId): string {
  return OPT_OUT[vendor] ?? `${vendor} offers no deletion API`
}
