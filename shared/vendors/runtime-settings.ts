import { ConfigError } from '#shared/config/errors.ts'
import type { VendorPolicy } from '#shared/consent/decide.ts'
import type { AnyVendor, BaseVendorSettings } from './contract.ts'
import { type VendorId, type VendorSettingsById, vendorById } from './index.ts'
import { transferRefusal } from './transfer.ts'

/**
 * The vendor settings in force. Deployed, they come from the config table through a cache of at most
 * 30 s, so an admin's switch takes effect without a deploy; tests and the seed use them as given.
 */
export interface VendorSettingsReader {
  /** The vendor's settings, or null when it has none (never configured): it then receives nothing. */
  settingsOf(id: VendorId): Promise<BaseVendorSettings | null>
}

/** Settings that never change (tests; the config file before it is seeded). */
export function staticVendorSettings(settings: VendorSettingsById): VendorSettingsReader {
  return { settingsOf: async (id) => settings[id] ?? null }
}

/** A vendor's stored settings, validated by its own schema; the error names every bad field. */
export function parseVendorSettings(id: string, raw: unknown): BaseVendorSettings {
  const vendor = vendorById(id)
  if (!vendor) throw new ConfigError(`no vendor ${id} (settings stored for a vendor this code does not know)`)
  const parsed = vendor.settingsSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map(
    (issue) => `${id}.${issue.path.join('.') || '(root)'}: ${issue.message}`,
  )
  throw new ConfigError(`Invalid ${vendor.label} settings: ${problems.join('; ')}`)
}

/** Why a vendor may not be switched on with these settings in this deployment, or null. */
export function vendorSettingsRefusal(
  vendor: AnyVendor,
  settings: BaseVendorSettings,
  production: boolean,
): string | null {
  return transferRefusal(vendor, settings) ?? vendor.checkSettings?.(settings, { production }) ?? null
}

/**
 * What the consent decision needs of a vendor; a vendor without settings is switched off, and so is one
 * whose stored settings transfer outside the EU/EEA without a safeguard (however they got there).
 */
export function vendorPolicy(id: VendorId, settings: BaseVendorSettings | null): VendorPolicy {
  const vendor = vendorById(id)
  if (!vendor || !settings)
    return { id, enabled: false, legalBasis: 'consent', purposes: vendor?.purposes ?? {} }
  const refusal = transferRefusal(vendor, settings)
  return {
    id,
    enabled: settings.enabled && refusal === null,
    ...(refusal ? { offReason: refusal } : {}),
    legalBasis: settings.legalBasis,
    purposes: vendor.purposes,
    ...(vendor.takesVisitorRequests ? { takesVisitorRequests: true as const } : {}),
  }
}
