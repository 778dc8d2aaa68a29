import { describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { metaVendor } from '#shared/vendors/meta/index.ts'
import { META_MAX_EVENTS_PER_REQUEST } from '#shared/vendors/meta/limits.ts'
import { metaSettingsSchema } from '#shared/vendors/meta/settings.ts'
import { metaSettings } from './fixtures.ts'

/** A field's `.describe()` text, looking through `_default` and `optional` wrappers. */
function descriptionOf(schema: z.core.$ZodType): string | undefined {
  const own = z.globalRegistry.get(schema)?.description
  if (own !== undefined) return own
  const def = schema._zod.def
  return 'innerType' in def && def.innerType instanceof z.core.$ZodType
    ? descriptionOf(def.innerType)
    : undefined
}

const parse = (input: Record<string, unknown>) => metaVendor.settingsSchema.safeParse(input)
const minimal = { pixelId: '123456789012345' }

describe('Meta settings', () => {
  it('fills privacy-preserving defaults and a current Graph version', () => {
    expect(metaVendor.settingsSchema.parse(minimal)).toEqual({
      enabled: false,
      legalBasis: 'consent',
      timeoutMs: 1500,
      transfer: { country: 'US', safeguard: 'dpf' },
      pixelId: '123456789012345',
      apiVersion: 'v25.0',
      eventNames: {},
      customData: [
        'value',
        'currency',
        'content_ids',
        'content_type',
        'content_category',
        'num_items',
        'order_id',
        'predicted_ltv',
      ],
      sendTruncatedIp: false,
      limitedDataUse: false,
    })
  })

  it('refuses a timeout below Meta’s recommended 1,500 ms', () => {
    expect(parse({ ...minimal, timeoutMs: 1499 }).success).toBe(false)
    expect(parse({ ...minimal, timeoutMs: 2000 }).success).toBe(true)
  })

  it('refuses malformed pixel ids, API versions and event-name maps', () => {
    expect(parse({ pixelId: 'px-123' }).success).toBe(false)
    expect(parse({}).success).toBe(false)
    for (const apiVersion of ['25.0', 'v25', 'v25.1', 'latest']) {
      expect(parse({ ...minimal, apiVersion }).success).toBe(false)
    }
    expect(parse({ ...minimal, eventNames: { 'Signed Up': 'CompleteRegistration' } }).success).toBe(true)
    expect(parse({ ...minimal, eventNames: { 'Signed Up': 'SignUp' } }).success).toBe(false)
    expect(parse({ ...minimal, customData: ['bad name'] }).success).toBe(false)
    expect(parse({ ...minimal, testEventCode: '' }).success).toBe(false)
    expect(parse({ ...minimal, unknownField: true }).success).toBe(false)
  })

  it('describes every field of its own for the admin page and docs', () => {
    const own = [
      'timeoutMs',
      'pixelId',
      'apiVersion',
      'eventNames',
      'customData',
      'sendTruncatedIp',
      'limitedDataUse',
      'testEventCode',
    ] as const
    for (const field of own)
      expect(descriptionOf(metaSettingsSchema.def.shape[field]), field).toMatch(/\w{3}/)
  })

  it('refuses a test event code in production, and allows it elsewhere', () => {
    const withCode = metaSettings({ testEventCode: 'TEST123' })
    expect(metaVendor.checkSettings?.(withCode, { production: true })).toMatch(/production/)
    expect(metaVendor.checkSettings?.(withCode, { production: false })).toBeNull()
    expect(metaVendor.checkSettings?.(metaSettings(), { production: true })).toBeNull()
  })
})

describe('Meta credentials', () => {
  it('takes {"accessToken": "…"} and offers the empty template and a dev placeholder', () => {
    expect(metaVendor.credentialsSchema.safeParse({ accessToken: 'EAAB' }).success).toBe(true)
    expect(metaVendor.credentialsSchema.safeParse({ accessToken: '' }).success).toBe(false)
    expect(metaVendor.credentialsSchema.safeParse({ apiSecret: 'x' }).success).toBe(false)
    expect(metaVendor.credentialsTemplate).toEqual({ accessToken: '' })
    expect(metaVendor.credentialsSchema.safeParse(metaVendor.devCredentials).success).toBe(true)
  })
})

describe('Meta vendor', () => {
  it('forwards page views and tracked events only for marketing, never identify calls', () => {
    expect(metaVendor.purposes).toEqual({ page: 'marketing', track: 'marketing' })
  })

  it('asks for hashed contact data, cookies, the user agent and its pseudonym, nothing else', () => {
    expect([...metaVendor.identity].sort()).toEqual([
      'city',
      'country',
      'email',
      'externalId',
      'fbc',
      'fbp',
      'firstName',
      'lastName',
      'phone',
      'postcode',
      'userAgent',
    ])
  })

  it('sizes a deliverer batch to fit one request', () => {
    expect(metaVendor.profile.batchSize).toBeLessThanOrEqual(META_MAX_EVENTS_PER_REQUEST)
    expect(metaVendor).toMatchObject({ id: 'meta', label: 'Meta Conversions API' })
  })
})
