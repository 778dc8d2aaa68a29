import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import type { AnyVendor } from '#shared/vendors/contract.ts'
import { TRANSFER_SAFEGUARDS, type VendorStatus, type VendorView } from './api.ts'
import type { StoredVendorSettings } from './store.ts'

const withTransfer = z.object({
  transfer: z.object({ country: z.string(), safeguard: z.enum(TRANSFER_SAFEGUARDS) }),
})
const withBasics = z.object({
  enabled: z.boolean(),
  legalBasis: z.enum(['consent', 'legitimate_interest']),
})

/** A status source that failed: every figure unknown rather than the whole listing failing. */
export const UNKNOWN_STATUS: VendorStatus = {
  queue: { depth: null, inFlight: null, oldestAgeSeconds: null },
  deadLetters: { count: null },
  lastDelivery: null,
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The settings validated by the vendor's schema, or null when none are stored or they do not parse. */
export function parsedSettings(vendor: AnyVendor, raw: unknown): Record<string, unknown> | null {
  if (raw === undefined || raw === null) return null
  const parsed = vendor.settingsSchema.safeParse(raw)
  return parsed.success && isRecord(parsed.data) ? parsed.data : null
}

/** What the vendor's schema fills in from nothing, or null when it needs fields of the admin (an id). */
function defaultSettings(vendor: AnyVendor): Record<string, unknown> | null {
  const defaults = vendor.settingsSchema.safeParse({})
  return defaults.success && isRecord(defaults.data) ? defaults.data : null
}

/** The admin's view: stored settings (none or unparseable → switched off, as collect reads them) + status. */
export function vendorView(
  vendor: AnyVendor,
  stored: StoredVendorSettings | null,
  status: VendorStatus,
): VendorView {
  const raw = stored?.settings
  const settings = parsedSettings(vendor, raw)
  const basics = settings ? withBasics.safeParse(settings) : undefined
  const transfer = settings ? withTransfer.safeParse(settings) : undefined
  return {
    id: vendor.id,
    label: vendor.label,
    enabled: basics?.success ? basics.data.enabled : false,
    legalBasis: basics?.success ? basics.data.legalBasis : 'consent',
    transfer: transfer?.success ? transfer.data.transfer : vendor.recipient,
    // Never configured: the vendor's defaults, so an admin edits from what the schema would fill in.
    settings: settings ?? (isRecord(raw) ? raw : defaultSettings(vendor)),
    revision: stored?.revision ?? 0,
    status,
  }
}
