import { describe, expect, it } from 'vitest'
import { perRequestMemo } from '#shared/lib/memoize.ts'
import { ga4AllowList } from '#shared/vendors/ga4/allow-list.ts'
import { toGa4Payload } from '../../support/ga4.ts'
import { collectedEvent, GA4_CONTEXT } from './fixtures.ts'

const allowList = ga4AllowList({ allowedUrlParams: ['lang'], forwardPageTitle: false })

/** Each event mapped in turn, as the collector maps a batch, with every field left out recorded. */
function mapBatch(marketing: ReadonlyArray<boolean>, perRequest?: ReturnType<typeof perRequestMemo>) {
  return marketing.map((marketingAllowed, index) => {
    const dropped: string[] = []
    const event = collectedEvent({
      // A session of its own: without one the mapper picks a random id.
      context: { ...collectedEvent().context, session: { id: 'session-1', number: 1 } },
      name: index % 2 === 0 ? 'Checkout Step Viewed' : 'Order Completed',
      page: {
        url: 'https://shop.example/offer?utm_source=news&gclid=Cj0K&ref=abc&lang=de',
        title: 'Offer',
        referrer: 'https://search.example/?q=shoes&lang=en',
      },
      properties: { orderId: 'A-1', 'Coupon Code': 'SPRING', revenue: 12 },
    })
    const payload = toGa4Payload(event, {
      ...GA4_CONTEXT,
      marketingAllowed,
      allowList,
      dropped: (field, reason) => dropped.push(`${field}: ${reason}`),
      ...(perRequest ? { perRequest } : {}),
    })
    return { payload, dropped }
  })
}

describe('GA4 mapping with the per-request memo', () => {
  it('gives every event of a batch the payload and dropped-field trace it gets without one', () => {
    const marketing = [false, true, false, true, true]
    const memoized = mapBatch(marketing, perRequestMemo())
    expect(memoized).toEqual(mapBatch(marketing))
    expect(memoized[1]?.dropped).toContain(
      'context.page.url?ref: query parameter not in GA4 allowedUrlParams',
    )
    expect(memoized[3]?.payload?.event.params.page_location).toContain('gclid=Cj0K')
    expect(memoized[4]?.payload?.event.params.page_location).toContain('gclid=Cj0K')
    expect(memoized[2]?.payload?.event.params.page_location).not.toContain('gclid')
  })
})
