import type * as z from 'zod/mini'
import type { AnyVendor } from './contract.ts'
import { ga4Vendor } from './ga4/index.ts'
import { hubspotVendor } from './hubspot/index.ts'
import type { VENDOR_ID_LIST } from './ids.ts'
import { linkedinVendor } from './linkedin/index.ts'
import { metaVendor } from './meta/index.ts'

/**
 * Every vendor tagwarden can forward to: one folder each, one line here. The vendor ids, the vendor
 * part of the configuration, infra's delivery pipelines, the deliverer's lookup and the local wiring
 * all derive from this list.
 */
export const VENDORS = [
  ga4Vendor,
  metaVendor,
  linkedinVendor,
  hubspotVendor,
] as const satisfies ReadonlyArray<AnyVendor>

export type KnownVendor = (typeof VENDORS)[number]
export type VendorId = KnownVendor['id']
export const VENDOR_IDS = VENDORS.map((vendor) => vendor.id) as [VendorId, ...VendorId[]]

// The plain-data list names exactly these vendors (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const idListMatches: Same<(typeof VENDOR_ID_LIST)[number], VendorId> = true
void idListMatches

export type VendorOf<Id extends VendorId> = Extract<KnownVendor, { id: Id }>
export type SettingsOf<Id extends VendorId> = z.output<VendorOf<Id>['settingsSchema']>
/** Each vendor's settings, as the config file seeds them and the config table holds them. */
export type VendorSettingsById = { [Id in VendorId]?: SettingsOf<Id> }

const byId = new Map<string, KnownVendor>(VENDORS.map((vendor) => [vendor.id, vendor]))

/** The vendor of this id, or undefined for an id no folder defines. */
export function vendorById(id: string): KnownVendor | undefined {
  return byId.get(id)
}

export function isVendorId(id: string): id is VendorId {
  return byId.has(id)
}
