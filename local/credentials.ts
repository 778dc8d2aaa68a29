import { VENDORS, type VendorId } from '#shared/vendors/index.ts'

/**
 * Vendor secrets for `npm start`: `TAGWARDEN_<VENDOR>_CREDENTIALS` holds a vendor's secret JSON as in
 * Secrets Manager (`TAGWARDEN_META_CREDENTIALS='{"accessToken":"…"}'`); `GA4_API_SECRET` still works
 * for GA4's bare API secret. A vendor without either runs on its development placeholder.
 */
export function vendorCredentials(env: NodeJS.ProcessEnv): Partial<Record<VendorId, string>> {
  const credentials: Partial<Record<VendorId, string>> = {}
  for (const vendor of VENDORS) {
    const json = env[`TAGWARDEN_${vendor.id.toUpperCase()}_CREDENTIALS`]
    if (json) credentials[vendor.id] = json
  }
  if (!credentials.ga4 && env.GA4_API_SECRET)
    credentials.ga4 = JSON.stringify({ apiSecret: env.GA4_API_SECRET })
  return credentials
}
