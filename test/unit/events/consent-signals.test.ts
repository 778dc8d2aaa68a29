import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventConsent } from '#shared/events/consent-signals.ts'

const withPreferences = (categoryPreferences: unknown) => ({ consent: { categoryPreferences } })

describe('eventConsent', () => {
  it.each([
    ['Analytics', 'analytics'],
    ['statistics', 'analytics'],
    ['PERFORMANCE', 'analytics'],
    ['Marketing', 'marketing'],
    ['Advertising', 'marketing'],
    ['ads', 'marketing'],
    ['Targeting', 'marketing'],
  ])('maps the Segment category %s to %s', (category, purpose) => {
    expect(eventConsent(withPreferences({ [category]: false }))).toEqual({ [purpose]: false })
  })

  it('reads the plain analytics/marketing boolean form', () => {
    expect(eventConsent({ consent: { analytics: true, marketing: false } })).toEqual({
      analytics: true,
      marketing: false,
    })
  })

  it('lets a single refusal win when several categories speak for one purpose', () => {
    const context = withPreferences({ Advertising: true, Targeting: false, Ads: true })

    expect(eventConsent(context)).toEqual({ marketing: false })
  })

  it('lets a refusal in either form win over a grant in the other', () => {
    const context = { consent: { categoryPreferences: { Analytics: true }, analytics: false } }

    expect(eventConsent(context)).toEqual({ analytics: false })
  })

  it('ignores unknown categories and non-boolean values', () => {
    const context = withPreferences({ Functional: false, Analytics: 'denied', Marketing: 0 })

    expect(eventConsent(context)).toBeUndefined()
  })

  it.each([
    ['no context', undefined],
    ['no consent', { locale: 'de' }],
    ['a consent string', { consent: 'yes' }],
    ['categoryPreferences that are an array', withPreferences([true])],
  ])('returns undefined for %s', (_case, context) => {
    expect(eventConsent(context)).toBeUndefined()
  })

  it('never throws and only ever returns booleans for known purposes', () => {
    fc.assert(
      fc.property(fc.anything(), fc.dictionary(fc.string(), fc.anything()), (context, preferences) => {
        for (const input of [context, withPreferences(preferences), { consent: preferences }]) {
          const signals = eventConsent(input) ?? {}
          for (const [purpose, value] of Object.entries(signals)) {
            expect(['analytics', 'marketing']).toContain(purpose)
            expect(typeof value).toBe('boolean')
          }
        }
      }),
    )
  })
})
