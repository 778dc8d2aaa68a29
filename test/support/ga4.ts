import { type BindOptions, bindVendor, type VendorAdapter } from '#shared/vendors/adapter.ts'
import { ga4Vendor } from '#shared/vendors/ga4/index.ts'
import type { Ga4Payload } from '#shared/vendors/ga4/payload.ts'
import type { Ga4Settings } from '#shared/vendors/ga4/settings.ts'

export { classifyHttpStatus } from '#shared/vendors/classify-http.ts'
export * from '#shared/vendors/ga4/limits.ts'
export { GA4_PURPOSES, type Ga4PayloadContext, toGa4Payload } from '#shared/vendors/ga4/map.ts'
export { type Ga4Payload, ga4PayloadSchema } from '#shared/vendors/ga4/payload.ts'

/** GA4 bound to these settings and API secret, as the deliverer binds it for a batch. */
export function ga4Adapter(
  settings: Ga4Settings,
  apiSecret: string,
  options: Partial<BindOptions> = {},
): VendorAdapter<Ga4Payload> {
  return bindVendor(ga4Vendor, settings, { apiSecret }, { now: () => new Date(), ...options })
}
