import { ConfigError } from '#shared/config/errors.ts'
import { bindVendor, erasing, switchedOffAdapter } from '#shared/vendors/adapter.ts'
import type { AnyVendor, BaseVendorSettings } from '#shared/vendors/contract.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import {
  type VendorSettingsReader,
  vendorPolicy,
  vendorSettingsRefusal,
} from '#shared/vendors/runtime-settings.ts'
import type { DeliveryBinding } from './deliver.ts'

export interface BindingSources {
  vendor: AnyVendor & { id: VendorId }
  settings: VendorSettingsReader
  /** The vendor secret's text (cached, re-read so a rotation needs no deploy); undefined when none is set. */
  credentials: () => Promise<string | undefined>
  /** Replaces scheme and host of every request (local runtime and tests only). */
  baseUrl?: string | undefined
  /** A production deployment refuses settings meant for testing (see Vendor.checkSettings). */
  production: boolean
  now: () => Date
}

/**
 * The deliverer's view of its vendor, taken afresh for every batch: the settings in force decide the
 * switch (off: every message is withheld with a reason); when on, the vendor is bound to its
 * credentials. On without usable credentials is a deployment error: the batch fails loudly and is
 * retried (then dead-lettered), never sent with a made-up credential.
 */
export function vendorBinding(sources: BindingSources): () => Promise<DeliveryBinding<unknown>> {
  const { vendor } = sources
  let bound: { settings: BaseVendorSettings; secret: string; binding: DeliveryBinding<unknown> } | undefined
  return async () => {
    const settings = await sources.settings.settingsOf(vendor.id)
    const policy = vendorPolicy(vendor.id, settings)
    if (!settings || !policy.enabled)
      return {
        adapter: switchedOffAdapter(
          vendor.id,
          vendor.purposes,
          undefined,
          await eraserWhenOff(sources, settings),
        ),
        policy,
      }
    const refusal = vendorSettingsRefusal(vendor, settings, sources.production)
    if (refusal) throw new ConfigError(`${vendor.label} settings refused: ${refusal}`)
    const secret = await sources.credentials()
    if (secret === undefined)
      throw new ConfigError(`${vendor.label} is enabled but its secret is empty: put ${templateOf(vendor)}`)
    if (bound?.settings !== settings || bound.secret !== secret) {
      const adapter = bindVendor(vendor, settings, parseCredentials(vendor, secret), {
        baseUrl: sources.baseUrl,
        now: sources.now,
      })
      bound = { settings, secret, binding: { adapter, policy } }
    }
    return { adapter: bound.binding.adapter, policy }
  }
}

/** A switched-off vendor still erases, when its settings and secret allow it; otherwise nothing. */
async function eraserWhenOff(sources: BindingSources, settings: BaseVendorSettings | null | undefined) {
  if (!sources.vendor.erase) return {}
  if (!settings) {
    const nothingSent = `${sources.vendor.id} was never configured here, so tagwarden sent it nothing to erase`
    return { erase: async () => ({ nothingSent }) }
  }
  const secret = await sources.credentials()
  if (secret === undefined) return {}
  const parsed = sources.vendor.credentialsSchema.safeParse(tryJson(secret))
  if (!parsed.success) return {}
  return erasing(sources.vendor, settings, parsed.data, { baseUrl: sources.baseUrl, now: sources.now })
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The secret's JSON, validated by the vendor's credentials schema; the error never quotes the value. */
export function parseCredentials(vendor: AnyVendor, secret: string): unknown {
  let json: unknown
  try {
    json = JSON.parse(secret)
  } catch {
    throw new ConfigError(`${vendor.label} secret is not JSON: put ${templateOf(vendor)}`)
  }
  const parsed = vendor.credentialsSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)')
  throw new ConfigError(`${vendor.label} secret lacks ${fields.join(', ')}: put ${templateOf(vendor)}`)
}

function templateOf(vendor: AnyVendor): string {
  return JSON.stringify(
    Object.fromEntries(Object.keys(vendor.credentialsTemplate).map((key) => [key, '...'])),
  )
}
