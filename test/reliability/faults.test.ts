import { describe, expect, it } from 'vitest'
import { type FaultFigures, faultModes, runFaultMode } from './fault-run.ts'

/** Small and fast: the figures at scale, with the 60 s outage, come from `npm run faults`. */
const OPTIONS = {
  events: 300,
  batchSize: 50,
  visitors: 10,
  // Loopback in one busy process: a tighter timeout gives up on answers the stand-in did send (duplicates).
  vendorTimeoutMs: 1_000,
  redeliverySecondMs: 2,
  settleTimeoutMs: 30_000,
}
const OUTAGE_MS = 1_500
/** The bound on events the vendor receives twice. */
const MAX_DUPLICATE_SHARE = 0.001

describe.each(faultModes(OUTAGE_MS))('the local system against a GA4 stand-in with $name', (mode) => {
  it('delivers or dead-letters every accepted event, none twice beyond 0.1 %, and never makes collect or consent wait', {
    timeout: 60_000,
  }, async () => {
    const figures: FaultFigures = await runFaultMode(mode, OPTIONS)

    expect(figures.accepted).toBe(OPTIONS.events)
    expect(figures.lost).toBe(0)
    expect(figures.delivered + figures.deadLettered).toBe(figures.accepted)
    expect(figures.duplicates).toBeLessThanOrEqual(MAX_DUPLICATE_SHARE * figures.accepted)
    expect(figures.answeredWhileVendorHung).toBe(true)
    expect(figures.invalidRequests).toBe(0)
  })
})
