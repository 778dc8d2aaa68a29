import { describe, expect, it } from 'vitest'
import { decide } from '#shared/consent/decide.ts'
import { deliverRecords, type OutcomeReport } from '#shared/delivery/deliver.ts'
import type { HttpSender, VendorRequest } from '#shared/delivery/http.ts'
import { EVERY_VERSION_COVERS_ALL } from '#shared/policy/coverage.ts'
import { ga4Adapter } from '../../../support/ga4.ts'
import { GA4_POLICY, inMemoryConsent, parkedList, queuedMessage } from '../../delivery/fixtures.ts'
import { GA4_CONFIG, NOW } from '../../vendors/fixtures.ts'

/** An unlinked Calendly booking the site forwards (calendly.forwardUnlinked): nobody's, no consent to find. */
const anonymous = { type: 'track' as const, anonymousStatistic: true as const }

describe('an anonymous statistic (an unlinked Calendly booking)', () => {
  it('goes to an enabled vendor without any stored consent, saying why', () => {
    const base = { stored: null, gpc: false, coverage: EVERY_VERSION_COVERS_ALL, rights: null }
    expect(decide({ vendor: GA4_POLICY, event: anonymous, ...base })).toEqual({
      allow: true,
      reason: 'belongs to no visitor and carries no personal data: no consent to look up',
    })
    expect(decide({ vendor: { ...GA4_POLICY, enabled: false }, event: anonymous, ...base }).allow).toBe(false)
    expect(decide({ vendor: GA4_POLICY, event: { type: 'track' }, ...base }).allow).toBe(false)
  })

  it('is sent by the deliverer, whose re-check finds no consent record for its random key', async () => {
    const sent: VendorRequest[] = []
    const sender: HttpSender = {
      async send(request) {
        sent.push(request)
        return { status: 204, headers: {}, body: '' }
      },
    }
    const outcomes: OutcomeReport[] = []
    const message = queuedMessage({
      consentKey: 'random-key',
      recheck: { eventType: 'track', gpc: false, anonymousStatistic: true },
    })
    const withoutMark = queuedMessage({ messageId: 'msg-2', consentKey: 'random-key' })

    await deliverRecords(
      [
        { recordId: 'r1', body: JSON.stringify(message) },
        { recordId: 'r2', body: JSON.stringify(withoutMark) },
      ],
      {
        binding: () => ({
          adapter: ga4Adapter(GA4_CONFIG, 'secret', { now: () => NOW }),
          policy: GA4_POLICY,
        }),
        consent: inMemoryConsent({}),
        sender,
        deadLetters: parkedList(),
        now: () => NOW,
        onOutcome: (report) => outcomes.push(report),
      },
    )

    expect(sent.flatMap((request) => request.messageIds)).toEqual(['msg-1'])
    expect(outcomes.find((o) => o.messageId === 'msg-2')).toMatchObject({ outcome: 'withheld' })
  })
})
