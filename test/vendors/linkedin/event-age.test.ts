import { describe, expect, it } from 'vitest'
import { linkedinVendor } from '#shared/vendors/linkedin/index.ts'
import { linkedinRequestViolations } from '../../support/linkedin-validator.ts'
import { fixturePayload, NOW, requestFor } from './fixtures.ts'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
const unsendable = linkedinVendor.unsendable ?? (() => 'missing')

describe('LinkedIn 90-day rule', () => {
  it('sends a conversion that happened within 90 days, minus the safety hour', () => {
    const payload = fixturePayload({ timestamp: new Date(NOW.getTime() - 89 * DAY_MS).toISOString() })
    expect(unsendable(payload, NOW)).toBeNull()
    expect(linkedinRequestViolations(requestFor(payload), NOW)).toEqual([])
  })

  it('parks one older than that before sending, saying how old it is', () => {
    const at = NOW.getTime() - 90 * DAY_MS + HOUR_MS / 2
    const payload = fixturePayload({ timestamp: new Date(at).toISOString() })
    expect(unsendable(payload, NOW)).toMatch(/2159 h old.*90 days/)
  })

  it('parks a conversion that aged past the edge while it waited on the queue', () => {
    const payload = fixturePayload({ timestamp: new Date(NOW.getTime() - 60 * DAY_MS).toISOString() })
    const later = new Date(NOW.getTime() + 31 * DAY_MS)
    expect(unsendable(payload, NOW)).toBeNull()
    expect(unsendable(payload, later)).not.toBeNull()
    // The validator agrees: sent then, LinkedIn would refuse it.
    expect(linkedinRequestViolations(requestFor(payload), later).join()).toContain('rule 5')
  })
})
