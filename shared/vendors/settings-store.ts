/** The longest an admin's change to a vendor's settings may take to reach collect and deliver. */
export const VENDOR_SETTINGS_MAX_AGE_MS = 30_000
/**
 * How long past its window a read may still be served while the table cannot be read: a short
 * throttle must not fail every request, but an outage must not hide an admin's switch for long.
 */
export const VENDOR_SETTINGS_MAX_STALE_MS = 60_000
/** While stale settings are served, the table is tried again at most this often, not on every call. */
export const VENDOR_SETTINGS_RETRY_INTERVAL_MS = 1_000

/** Every vendor's settings as stored (raw JSON, not yet parsed), by vendor id, in one read. */
export interface VendorSettingsSource {
  readAll(): Promise<Record<string, unknown>>
}

export interface VendorSettingsCacheOptions {
  /** How long one read serves; default and maximum VENDOR_SETTINGS_MAX_AGE_MS. */
  maxAgeMs?: number
  /** How long past the window a read is served while reading fails; default VENDOR_SETTINGS_MAX_STALE_MS. */
  maxStaleMs?: number
  /** Milliseconds since the epoch. */
  now: () => number
  /** Told of a vendor whose stored settings do not parse, and of a failed read served stale. */
  onError?: (error: unknown) => void
}

export interface VendorSettings<T> {
  /** The vendor's parsed settings; null for a vendor with none stored or with settings that do not parse. */
  get(vendorId: string): Promise<T | null>
}

/** The settings could not be read and no earlier read may be served instead. */
export class VendorSettingsReadError extends Error {
  override name = 'VendorSettingsReadError'
}

/** A vendor's stored settings did not parse; the vendor reads as switched off until they are fixed. */
export class VendorSettingsInvalidError extends Error {
  override name = 'VendorSettingsInvalidError'
  constructor(
    readonly vendorId: string,
    message: string,
  ) {
    super(`Settings of vendor ${vendorId} do not parse: ${message}`)
  }
}

interface Snapshot<T> {
  byId: ReadonlyMap<string, T | null>
  /** When the read began, so the age counted is never less than the data's. */
  readAt: number
}

function checkedMaxAge(maxAgeMs: number): number {
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0 || maxAgeMs > VENDOR_SETTINGS_MAX_AGE_MS) {
    throw new RangeError(`maxAgeMs must be between 0 and ${VENDOR_SETTINGS_MAX_AGE_MS}, got ${maxAgeMs}`)
  }
  return maxAgeMs
}

function checkedMaxStale(maxStaleMs: number): number {
  if (!Number.isFinite(maxStaleMs) || maxStaleMs < 0) {
    throw new RangeError(`maxStaleMs must be a non-negative number of milliseconds, got ${maxStaleMs}`)
  }
  return maxStaleMs
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Vendor settings read through a cache: one read of every vendor per window, shared by concurrent
 * callers. A vendor whose raw settings make `parse` throw reads as null without affecting the others.
 */
export function cachedVendorSettings<T>(
  source: VendorSettingsSource,
  parse: (vendorId: string, raw: unknown) => T,
  options: VendorSettingsCacheOptions,
): VendorSettings<T> {
  const maxAgeMs = checkedMaxAge(options.maxAgeMs ?? VENDOR_SETTINGS_MAX_AGE_MS)
  const maxStaleMs = checkedMaxStale(options.maxStaleMs ?? VENDOR_SETTINGS_MAX_STALE_MS)
  const { now, onError = () => {} } = options
  let snapshot: Snapshot<T> | undefined
  let inFlight: Promise<Snapshot<T>> | undefined
  let retryNotBefore = Number.NEGATIVE_INFINITY

  function parseAll(rawById: Record<string, unknown>): Map<string, T | null> {
    const byId = new Map<string, T | null>()
    for (const [vendorId, raw] of Object.entries(rawById)) {
      try {
        byId.set(vendorId, parse(vendorId, raw))
      } catch (error) {
        // Only the id and the message: the raw value stays out of logs.
        onError(new VendorSettingsInvalidError(vendorId, messageOf(error)))
        byId.set(vendorId, null)
      }
    }
    return byId
  }

  const servable = (cached: Snapshot<T> | undefined, at: number): cached is Snapshot<T> =>
    cached !== undefined && at - cached.readAt < maxAgeMs + maxStaleMs

  async function read(): Promise<Snapshot<T>> {
    const readAt = now()
    try {
      const fresh = { byId: parseAll(await source.readAll()), readAt }
      snapshot = fresh
      return fresh
    } catch (error) {
      const failedAt = now()
      retryNotBefore = failedAt + VENDOR_SETTINGS_RETRY_INTERVAL_MS
      if (!servable(snapshot, failedAt)) {
        throw new VendorSettingsReadError('Vendor settings could not be read', { cause: error })
      }
      onError(
        new VendorSettingsReadError(
          `Vendor settings could not be read; serving the read of ${failedAt - snapshot.readAt} ms ago`,
          { cause: error },
        ),
      )
      return snapshot
    }
  }

  function current(): Promise<Snapshot<T>> {
    const at = now()
    if (snapshot && at - snapshot.readAt < maxAgeMs) return Promise.resolve(snapshot)
    if (servable(snapshot, at) && at < retryNotBefore) return Promise.resolve(snapshot)
    if (!inFlight) {
      inFlight = read().finally(() => {
        inFlight = undefined
      })
    }
    return inFlight
  }

  return {
    async get(vendorId) {
      const { byId } = await current()
      return byId.get(vendorId) ?? null
    },
  }
}
