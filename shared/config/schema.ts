import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { type KnownVendor, VENDORS } from '#shared/vendors/index.ts'
import { deploymentConfigSchema } from './deployment-schema.ts'

type VendorSettingsShape = { [V in KnownVendor as V['id']]: z.ZodMiniOptional<V['settingsSchema']> }

/** `{ ga4: optional(ga4 settings), … }` for every vendor in VENDORS. */
function vendorSettingsShape(): VendorSettingsShape {
  return Object.fromEntries(
    VENDORS.map((vendor) => [vendor.id, z.optional(vendor.settingsSchema)]),
  ) as VendorSettingsShape
}

/** A configuration file: the deployment's configuration plus the vendor settings that seed the config table. */
export const configSchema = z.extend(deploymentConfigSchema, {
  /**
   * Each vendor's settings as the deployment seeds them into the config table (an admin's later change
   * there wins); the schema of each is its folder's `settingsSchema`.
   */
  vendors: z._default(z.strictObject(vendorSettingsShape()), {}),
})

export type TagwardenConfig = z.infer<typeof configSchema>
export type { DeploymentConfig, SiteConfig } from './deployment-schema.ts'
export { siteSchema } from './deployment-schema.ts'
