import { describe, expect, it } from 'vitest'
import { ConfigError } from '#shared/config/load.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import { metaVendor } from '#shared/vendors/meta/index.ts'
import { metaSettingsSchema } from '#shared/vendors/meta/settings.ts'
import type { VendorSettingsReader } from '#shared/vendors/runtime-settings.ts'

const NOW = new Date('2026-12-03T12:00:00.000Z')
const metaOn = metaSettingsSchema.parse({ enabled: true, pixelId: '1234567890' })

function binding(options: { settings: unknown; secret?: () => string | undefined; production?: boolean }) {
  const settings: VendorSettingsReader = { settingsOf: async () => options.settings as typeof metaOn | null }
  return vendorBinding({
    vendor: metaVendor,
    settings,
    credentials: async () => options.secret?.(),
    production: options.production ?? true,
    now: () => NOW,
  })
}

const queued = (messageId: string) => ({ messageId, payload: { event_name: 'PageView' } })

describe('the deliverer’s view of its vendor, taken per batch', () => {
  it('withholds with a switched-off policy when the vendor has no settings or is off, needing no secret', async () => {
    for (const settings of [null, { ...metaOn, enabled: false }]) {
      const { policy, adapter } = await binding({ settings })()
      expect(policy.enabled).toBe(false)
      expect(() => adapter.buildRequests([])).toThrow(/switched off/)
    }
  })

  it('fails loudly when the vendor is on but its secret is empty, naming the JSON to put', async () => {
    await expect(binding({ settings: metaOn })()).rejects.toThrow(/\{"accessToken":"\.\.\."\}/)
  })

  it('refuses a test event code in production, and uses it in a test deployment', async () => {
    const withCode = { ...metaOn, testEventCode: 'TEST123' }
    const secret = () => JSON.stringify({ accessToken: 'token' })
    await expect(binding({ settings: withCode, secret })()).rejects.toThrow(ConfigError)
    const { adapter } = await binding({ settings: withCode, secret, production: false })()
    const [request] = adapter.buildRequests([queued('m1')])
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ test_event_code: 'TEST123' })
  })

  it('picks up a rotated secret at the next batch, without a redeploy', async () => {
    let token = 'first-token'
    const next = binding({ settings: metaOn, secret: () => JSON.stringify({ accessToken: token }) })
    const first = (await next()).adapter.buildRequests([queued('m1')])
    token = 'rotated-token'
    const second = (await next()).adapter.buildRequests([queued('m2')])
    expect(first[0]?.url).toContain('access_token=first-token')
    expect(second[0]?.url).toContain('access_token=rotated-token')
  })
})
