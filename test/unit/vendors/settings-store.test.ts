import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import {
  cachedVendorSettings,
  VENDOR_SETTINGS_MAX_AGE_MS,
  VENDOR_SETTINGS_MAX_STALE_MS,
  VENDOR_SETTINGS_RETRY_INTERVAL_MS,
  VendorSettingsInvalidError,
  VendorSettingsReadError,
  type VendorSettingsSource,
} from '#shared/vendors/settings-store.ts'

const settingsSchema = z.strictObject({ enabled: z.boolean(), measurementId: z.optional(z.string()) })
type Settings = z.infer<typeof settingsSchema>
const parse = (_vendorId: string, raw: unknown): Settings => settingsSchema.parse(raw)

/** A source whose stored values a test changes, that counts reads and fails when told to. */
function tableSource(initial: Record<string, unknown>) {
  const state = { stored: { ...initial }, reads: 0, failWith: undefined as Error | undefined }
  const source: VendorSettingsSource = {
    async readAll() {
      state.reads++
      if (state.failWith) throw state.failWith
      return structuredClone(state.stored)
    },
  }
  return { source, state }
}

function fakeClock(start = 1_000_000) {
  const clock = { at: start, now: () => clock.at, advance: (ms: number) => (clock.at += ms) }
  return clock
}

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })

describe('cachedVendorSettings', () => {
  it('serves each vendor its parsed settings, and null for a vendor that has none', async () => {
    const { source } = tableSource({ ga4: { enabled: true, measurementId: 'G-1' }, meta: { enabled: false } })
    const settings = cachedVendorSettings(source, parse, { now: fakeClock().now })

    expect(await settings.get('ga4')).toEqual({ enabled: true, measurementId: 'G-1' })
    expect(await settings.get('meta')).toEqual({ enabled: false })
    expect(await settings.get('tiktok')).toBeNull()
  })

  it('sees an admin switching a vendor off once the window has passed, and not before', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true } })
    const clock = fakeClock()
    const settings = cachedVendorSettings(source, parse, { now: clock.now })
    await settings.get('ga4')

    state.stored.ga4 = { enabled: false }
    clock.advance(VENDOR_SETTINGS_MAX_AGE_MS - 1)
    expect(await settings.get('ga4')).toEqual({ enabled: true })

    clock.advance(1)
    expect(await settings.get('ga4')).toEqual({ enabled: false })
  })

  it('reads the source once per window however many vendors and calls ask', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true }, meta: { enabled: true } })
    const clock = fakeClock()
    const settings = cachedVendorSettings(source, parse, { now: clock.now })

    for (let call = 0; call < 50; call++) await settings.get(call % 2 === 0 ? 'ga4' : 'meta')
    expect(state.reads).toBe(1)

    clock.advance(VENDOR_SETTINGS_MAX_AGE_MS)
    for (let call = 0; call < 50; call++) await settings.get('ga4')
    expect(state.reads).toBe(2)
  })

  it('shares one read among concurrent callers', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true } })
    const settings = cachedVendorSettings(source, parse, { now: fakeClock().now })

    const answers = await Promise.all(Array.from({ length: 20 }, () => settings.get('ga4')))

    expect(state.reads).toBe(1)
    expect(answers).toEqual(Array.from({ length: 20 }, () => ({ enabled: true })))
  })

  it('reads every time with a window of zero', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true } })
    const settings = cachedVendorSettings(source, parse, { now: fakeClock().now, maxAgeMs: 0 })

    await settings.get('ga4')
    await settings.get('ga4')

    expect(state.reads).toBe(2)
  })

  it('refuses a window longer than the 30 s an admin is promised', () => {
    const { source } = tableSource({})

    expect(() =>
      cachedVendorSettings(source, parse, { now: Date.now, maxAgeMs: VENDOR_SETTINGS_MAX_AGE_MS + 1 }),
    ).toThrow(RangeError)
    expect(() => cachedVendorSettings(source, parse, { now: Date.now, maxAgeMs: Number.NaN })).toThrow(
      RangeError,
    )
  })

  it('fails when the first read fails, so the caller answers 5xx and is retried', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true } })
    state.failWith = throttled()
    const errors: unknown[] = []
    const settings = cachedVendorSettings(source, parse, {
      now: fakeClock().now,
      onError: (e) => errors.push(e),
    })

    await expect(settings.get('ga4')).rejects.toBeInstanceOf(VendorSettingsReadError)
    state.failWith = undefined
    expect(await settings.get('ga4')).toEqual({ enabled: true })
  })

  it('keeps serving the last read, and reports it, while a later read fails', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true } })
    const clock = fakeClock()
    const errors: unknown[] = []
    const settings = cachedVendorSettings(source, parse, { now: clock.now, onError: (e) => errors.push(e) })
    await settings.get('ga4')

    state.failWith = throttled()
    clock.advance(VENDOR_SETTINGS_MAX_AGE_MS)

    expect(await settings.get('ga4')).toEqual({ enabled: true })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(VendorSettingsReadError)
    expect(errors[0]).toMatchObject({ cause: state.failWith })
  })

  it('stops serving the last read once it is older than the window plus the stale allowance', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true } })
    const clock = fakeClock()
    const settings = cachedVendorSettings(source, parse, { now: clock.now })
    await settings.get('ga4')
    state.failWith = throttled()

    clock.advance(VENDOR_SETTINGS_MAX_AGE_MS + VENDOR_SETTINGS_MAX_STALE_MS - 1)
    expect(await settings.get('ga4')).toEqual({ enabled: true })

    clock.advance(1)
    await expect(settings.get('ga4')).rejects.toBeInstanceOf(VendorSettingsReadError)
  })

  it('tries a failing source again at most once per retry interval while serving stale', async () => {
    const { source, state } = tableSource({ ga4: { enabled: true } })
    const clock = fakeClock()
    const settings = cachedVendorSettings(source, parse, { now: clock.now })
    await settings.get('ga4')
    state.failWith = throttled()
    clock.advance(VENDOR_SETTINGS_MAX_AGE_MS)

    for (let call = 0; call < 10; call++) await settings.get('ga4')
    expect(state.reads).toBe(2)

    clock.advance(VENDOR_SETTINGS_RETRY_INTERVAL_MS)
    state.failWith = undefined
    state.stored.ga4 = { enabled: false }
    expect(await settings.get('ga4')).toEqual({ enabled: false })
    expect(state.reads).toBe(3)
  })

  it('reads a vendor whose settings do not parse as null, reporting only its id, and serves the others', async () => {
    const { source } = tableSource({
      ga4: { enabled: 'yes', measurementId: 'G-SECRET' },
      meta: { enabled: true },
    })
    const errors: unknown[] = []
    const settings = cachedVendorSettings(source, parse, {
      now: fakeClock().now,
      onError: (e) => errors.push(e),
    })

    expect(await settings.get('ga4')).toBeNull()
    expect(await settings.get('meta')).toEqual({ enabled: true })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(VendorSettingsInvalidError)
    expect(errors[0]).toMatchObject({ vendorId: 'ga4' })
    expect(JSON.stringify(errors[0])).not.toContain('G-SECRET')
    expect(String(errors[0])).not.toContain('G-SECRET')
  })

  it('treats a vendor id named like an Object property as any other id', async () => {
    const { source } = tableSource(
      JSON.parse('{"__proto__":{"enabled":true},"constructor":{"enabled":false}}'),
    )
    const settings = cachedVendorSettings(source, parse, { now: fakeClock().now })

    expect(await settings.get('__proto__')).toEqual({ enabled: true })
    expect(await settings.get('constructor')).toEqual({ enabled: false })
    expect(await settings.get('toString')).toBeNull()
  })

  it('serves exactly the vendors whose settings parse, whatever the mix of good and bad', async () => {
    const entry = fc.tuple(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.oneof(fc.record({ enabled: fc.boolean() }), fc.anything(), fc.record({ enabled: fc.string() })),
    )
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { selector: ([id]) => id, maxLength: 8 }), async (entries) => {
        const stored = Object.fromEntries(entries)
        const { source } = tableSource(stored)
        const reported: string[] = []
        const settings = cachedVendorSettings(source, parse, {
          now: fakeClock().now,
          onError: (e) => {
            if (e instanceof VendorSettingsInvalidError) reported.push(e.vendorId)
          },
        })

        for (const [vendorId, raw] of entries) {
          const expected = settingsSchema.safeParse(raw)
          expect(await settings.get(vendorId)).toEqual(expected.success ? expected.data : null)
        }
        const bad = entries.filter(([, raw]) => !settingsSchema.safeParse(raw).success).map(([id]) => id)
        expect(reported.sort()).toEqual(bad.sort())
      }),
    )
  })
})
