import { describe, expect, it } from 'vitest'
import { allowedUrl, DEFAULT_GA4_ALLOW_LIST, ga4AllowList } from '#shared/vendors/ga4/allow-list.ts'
import { toGa4Payload } from '../../support/ga4.ts'
import { collectedEvent, GA4_CONTEXT } from './fixtures.ts'

const URL_WITH_EVERYTHING =
  'https://shop.example/offer?utm_source=news&utm_campaign=spring&gclid=Cj0K&ref=abc&lang=de#section-2'

describe('GA4 allow-list: page URL parameters', () => {
  it('keeps utm_* and drops unknown parameters and the fragment by default', () => {
    expect(allowedUrl(URL_WITH_EVERYTHING, DEFAULT_GA4_ALLOW_LIST, false)).toBe(
      'https://shop.example/offer?utm_source=news&utm_campaign=spring',
    )
  })

  it('keeps ad-click ids only when the visitor allows marketing', () => {
    expect(allowedUrl(URL_WITH_EVERYTHING, DEFAULT_GA4_ALLOW_LIST, true)).toBe(
      'https://shop.example/offer?utm_source=news&utm_campaign=spring&gclid=Cj0K',
    )
  })

  it('keeps the parameters the site lists', () => {
    const allow = ga4AllowList({ allowedUrlParams: ['lang'], forwardPageTitle: false })
    expect(allowedUrl(URL_WITH_EVERYTHING, allow, false)).toBe(
      'https://shop.example/offer?utm_source=news&utm_campaign=spring&lang=de',
    )
  })

  it('leaves a URL without a query as it is, less its fragment', () => {
    expect(allowedUrl('https://shop.example/a#b', DEFAULT_GA4_ALLOW_LIST, true)).toBe(
      'https://shop.example/a',
    )
  })
})

describe('GA4 allow-list: properties and title in the payload', () => {
  const event = collectedEvent({
    page: {
      url: URL_WITH_EVERYTHING,
      title: 'Profile of Jane Roe',
      referrer: 'https://search.example/?q=jane+roe',
    },
    properties: {
      value: 42,
      currency: 'EUR',
      note: 'call Jane Roe back',
      contentType: 'article',
      plan: 'pro',
    },
  })

  it('forwards only the standard properties, no title and no unknown referrer parameters by default', () => {
    const params = toGa4Payload(event, GA4_CONTEXT)?.event.params
    expect(params).toMatchObject({ value: 42, currency: 'EUR', content_type: 'article', plan: 'pro' })
    expect(params).not.toHaveProperty('note')
    expect(params).not.toHaveProperty('page_title')
    expect(params?.page_referrer).toBe('https://search.example/')
    expect(JSON.stringify(params)).not.toContain('Jane')
  })

  it('forwards what the site declares instead, and titles when it says so', () => {
    const allowList = ga4AllowList({ forwardProperties: ['note'], forwardPageTitle: true })
    const params = toGa4Payload(event, { ...GA4_CONTEXT, allowList })?.event.params
    expect(params).toMatchObject({ note: 'call Jane Roe back', page_title: 'Profile of Jane Roe' })
    expect(params).not.toHaveProperty('value')
  })
})
