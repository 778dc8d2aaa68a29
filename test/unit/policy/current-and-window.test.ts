import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { policyCatalogue } from '#shared/policy/catalogue.ts'
import { currentVersion } from '#shared/policy/current.ts'
import { noticeRequired, noticeState, OBJECTION_WINDOW_MS } from '#shared/policy/notice-window.ts'
import { publishedArbitrary, START_MS } from './arbitraries.ts'

const DEPLOYMENT_VERSION = '2018-05'
const DAY_MS = 24 * 60 * 60 * 1000
const timeArbitrary = fc.integer({ min: START_MS - 30 * DAY_MS, max: START_MS + 500 * DAY_MS })

describe('the current policy version', () => {
  it('is the published version with the latest effective date at or before t, else the implicit one', () => {
    fc.assert(
      fc.property(publishedArbitrary, timeArbitrary, (published, t) => {
        const effective = published.filter((item) => Date.parse(item.effectiveAt) <= t)
        const latest = Math.max(...effective.map((item) => Date.parse(item.effectiveAt)))
        const current = currentVersion(policyCatalogue(published, DEPLOYMENT_VERSION), new Date(t))
        if (effective.length === 0) expect(current.version).toBe(DEPLOYMENT_VERSION)
        else expect(Date.parse(new Date(current.effectiveAtMs).toISOString())).toBe(latest)
      }),
    )
  })
})

describe('the notice window', () => {
  const v1 = {
    version: 'v1',
    effectiveAt: new Date(START_MS).toISOString(),
    publishedAt: new Date(START_MS).toISOString(),
    covers: {},
  }
  const v2At = START_MS + 100 * DAY_MS
  const v2 = { ...v1, version: 'v2', effectiveAt: new Date(v2At).toISOString() }
  const catalogue = policyCatalogue([v2, v1], DEPLOYMENT_VERSION)
  const deadline = new Date(v2At + OBJECTION_WINDOW_MS).toISOString()

  it('is open for a consent under an older version from the effective date until 1 ms before E + 28 days', () => {
    expect(noticeRequired(catalogue, 'v1', new Date(v2At))).toEqual({ version: 'v2', deadline })
    expect(noticeRequired(catalogue, DEPLOYMENT_VERSION, new Date(v2At + OBJECTION_WINDOW_MS - 1))).toEqual({
      version: 'v2',
      deadline,
    })
    expect(noticeState(catalogue, 'v1', new Date(v2At + OBJECTION_WINDOW_MS))).toEqual({
      open: false,
      why: 'closed',
      version: 'v2',
      deadline,
    })
    expect(deadline).toBe('2026-05-09T00:00:00.000Z')
  })

  it('is never open for a consent under the current version, nor before any version was published', () => {
    fc.assert(
      fc.property(publishedArbitrary, timeArbitrary, (published, t) => {
        const all = policyCatalogue(published, DEPLOYMENT_VERSION)
        const now = new Date(t)
        expect(noticeRequired(all, currentVersion(all, now).version, now)).toBeNull()
        expect(noticeRequired(policyCatalogue([], DEPLOYMENT_VERSION), 'anything', now)).toBeNull()
      }),
    )
  })

  it('is open exactly while E ≤ now < E + 28 days for any older consent', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2 * OBJECTION_WINDOW_MS, max: 2 * OBJECTION_WINDOW_MS }), (offset) => {
        const now = new Date(v2At + offset)
        const open = noticeRequired(catalogue, 'v1', now) !== null
        expect(open).toBe(offset >= 0 && offset < OBJECTION_WINDOW_MS)
      }),
    )
  })
})
