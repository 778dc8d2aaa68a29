import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { TRANSFER_SAFEGUARDS, type Transfer } from '#shared/admin/api.ts'
import type { AnyVendor, BaseVendorSettings } from './contract.ts'

/**
 * The EU member states and the other EEA countries (Iceland, Liechtenstein, Norway): GDPR applies
 * there directly, so sending there is no third-country transfer (privacy-policy-source §10.3).
 */
export const EEA_COUNTRIES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
])

export const transferSchema = z.strictObject({
  /** ISO 3166-1 alpha-2 country of the recipient's registered office. */
  country: z
    .string()
    .check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US or IE')),
  /**
   * What makes the transfer lawful: `adequacy` (an adequacy decision for the country), `dpf` (the
   * recipient is certified under the EU–US Data Privacy Framework), `scc` (standard contractual
   * clauses), `explicit-consent` (GDPR Art. 49(1)(a): only with the visitor's consent), `none`.
   */
  safeguard: z.enum(TRANSFER_SAFEGUARDS),
})

export const isThirdCountry = (country: string): boolean => !EEA_COUNTRIES.has(country)

/**
 * Why this vendor may not be switched on with these settings (privacy §10), or null. A transfer
 * outside the EU/EEA needs a safeguard, and one that rests on explicit consent cannot run on
 * legitimate interest.
 */
export function transferRefusal(vendor: AnyVendor, settings: BaseVendorSettings): string | null {
  if (!settings.enabled) return null
  const { country, safeguard } = settings.transfer
  if (!isThirdCountry(country)) return null
  const who = `${vendor.label} (${vendor.id})`
  if (safeguard === 'none')
    return `${who} sends to ${country}, outside the EU/EEA, and has no transfer safeguard: set transfer.safeguard to adequacy, dpf, scc or explicit-consent before switching it on`
  if (safeguard === 'explicit-consent' && settings.legalBasis !== 'consent')
    return `${who} transfers to ${country} on explicit consent, so its legal basis must be consent, not ${settings.legalBasis}`
  return null
}

export type { Transfer }
