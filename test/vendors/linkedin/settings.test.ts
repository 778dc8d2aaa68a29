import { describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { linkedinVendor } from '#shared/vendors/linkedin/index.ts'
import { LINKEDIN_MAX_ELEMENTS_PER_REQUEST, LINKEDIN_MAX_RULES } from '#shared/vendors/linkedin/limits.ts'
import { linkedinSettingsSchema } from '#shared/vendors/linkedin/settings.ts'

/** A field's `.describe()` text, looking through `_default` and `optional` wrappers. */
function descriptionOf(schema: z.core.$ZodType): string | undefined {
  const own = z.globalRegistry.get(schema)?.description
  if (own !== undefined) return own
  const def = schema._zod.def
  return 'innerType' in def && def.innerType instanceof z.core.$ZodType
    ? descriptionOf(def.innerType)
    : undefined
}

const parse = (input: Record<string, unknown>) => linkedinVendor.settingsSchema.safeParse(input)
const rule = (fields: Record<string, unknown>) => ({ conversions: [fields] })

describe('LinkedIn settings', () => {
  it('defaults to off, no conversions and a current LinkedIn-Version', () => {
    expect(linkedinVendor.settingsSchema.parse({})).toEqual({
      enabled: false,
      legalBasis: 'consent',
      timeoutMs: 5000,
      transfer: { country: 'US', safeguard: 'dpf' },
      version: '202606',
      conversions: [],
    })
  })

  it('takes rules by event, by page path and by both', () => {
    const conversions = [
      { event: 'Order Completed', conversion: 'urn:lla:llaPartnerConversion:1' },
      { pagePath: '/pricing/**', conversion: 'urn:lla:llaPartnerConversion:2' },
      { event: 'Signed Up', pagePath: '/signup', conversion: 'urn:lla:llaPartnerConversion:3' },
    ]
    expect(parse({ conversions }).data?.conversions).toEqual(conversions)
  })

  it.each([
    ['a rule with neither event nor pagePath', rule({ conversion: 'urn:lla:llaPartnerConversion:1' })],
    ['a conversion that is not a rule URN', rule({ event: 'x', conversion: 'urn:li:sponsoredAccount:1' })],
    [
      'a regex as page path',
      rule({ pagePath: '^/pricing.*$', conversion: 'urn:lla:llaPartnerConversion:1' }),
    ],
    ['** in the middle', rule({ pagePath: '/a/**/b', conversion: 'urn:lla:llaPartnerConversion:1' })],
    ['an unknown rule key', rule({ event: 'x', regex: '.*', conversion: 'urn:lla:llaPartnerConversion:1' })],
    ['a version not YYYYMM', { version: '2026-06' }],
    ['month 13', { version: '202613' }],
    ['an unknown top-level key', { userInfo: true }],
  ])('refuses %s', (_, input) => {
    expect(parse(input).success).toBe(false)
  })

  it('says what is wrong with a page path pattern', () => {
    const result = parse(rule({ pagePath: '/a*', conversion: 'urn:lla:llaPartnerConversion:1' }))
    expect(result.error?.issues.map((issue) => issue.message).join()).toContain('whole segment')
  })

  it(`bounds the rules to ${LINKEDIN_MAX_RULES}`, () => {
    const many = Array.from({ length: LINKEDIN_MAX_RULES + 1 }, (_, index) => ({
      event: `e${index}`,
      conversion: `urn:lla:llaPartnerConversion:${index}`,
    }))
    expect(parse({ conversions: many }).success).toBe(false)
    expect(parse({ conversions: many.slice(1) }).success).toBe(true)
  })

  it('describes every field an admin edits', () => {
    for (const [name, field] of Object.entries(linkedinSettingsSchema.def.shape)) {
      if (['enabled', 'legalBasis', 'timeoutMs', 'transfer'].includes(name)) continue
      expect(descriptionOf(field), name).toBeTruthy()
    }
  })

  it('fits one invocation’s batch in one request and takes only marketing-allowed page and track events', () => {
    expect(linkedinVendor.profile.batchSize).toBeLessThanOrEqual(LINKEDIN_MAX_ELEMENTS_PER_REQUEST)
    expect(linkedinVendor.purposes).toEqual({ page: 'marketing', track: 'marketing' })
    expect(linkedinVendor.identity).toEqual(['email', 'liFatId'])
  })

  it('takes an access token as credentials, and its template lists it empty', () => {
    expect(linkedinVendor.credentialsSchema.safeParse({ accessToken: 'AQV123' }).success).toBe(true)
    expect(linkedinVendor.credentialsSchema.safeParse({ accessToken: 'has space' }).success).toBe(false)
    expect(linkedinVendor.credentialsSchema.safeParse({ accessToken: '' }).success).toBe(false)
    expect(linkedinVendor.credentialsTemplate).toEqual({ accessToken: '' })
  })
})
