import { describe, expect, it } from 'vitest'
import {
  cachedPolicyVersions,
  POLICY_VERSIONS_MAX_AGE_MS,
  PolicyVersionsReadError,
} from '#shared/policy/cache.ts'
import type { PolicyVersion } from '#shared/policy/versions.ts'

const version = (name: string): PolicyVersion => ({
  version: name,
  effectiveAt: '2026-12-01T00:00:00.000Z',
  publishedAt: '2026-11-01T00:00:00.000Z',
  covers: {},
})

function fakeSource() {
  let versions: PolicyVersion[] = [version('v1')]
  let failing = false
  let reads = 0
  return {
    source: {
      async published() {
        reads++
        if (failing) throw new Error('throttled')
        return versions
      },
    },
    publish: (name: string) => {
      versions = [...versions, version(name)]
    },
    fail: (value: boolean) => {
      failing = value
    },
    reads: () => reads,
  }
}

describe('cached policy versions', () => {
  it('serves one read for 30 s and shows a newly published version at exactly 30 s', async () => {
    let at = 1_000_000
    const fake = fakeSource()
    const cache = cachedPolicyVersions(fake.source, { now: () => at })
    expect((await cache.published()).map((item) => item.version)).toEqual(['v1'])
    fake.publish('v2')
    at += POLICY_VERSIONS_MAX_AGE_MS - 1
    expect((await cache.published()).map((item) => item.version)).toEqual(['v1'])
    at += 1
    expect((await cache.published()).map((item) => item.version)).toEqual(['v1', 'v2'])
    expect(fake.reads()).toBe(2)
  })

  it('serves the last read while the table cannot be read, then fails once it is too old', async () => {
    let at = 0
    const errors: unknown[] = []
    const fake = fakeSource()
    const cache = cachedPolicyVersions(fake.source, { now: () => at, onError: (error) => errors.push(error) })
    await cache.published()
    fake.fail(true)
    at = POLICY_VERSIONS_MAX_AGE_MS
    expect(await cache.published()).toHaveLength(1)
    expect(errors).toEqual([expect.any(PolicyVersionsReadError)])
    at = 10 * POLICY_VERSIONS_MAX_AGE_MS
    await expect(cache.published()).rejects.toThrow(PolicyVersionsReadError)
  })

  it('refuses a window longer than 30 s', () => {
    expect(() => cachedPolicyVersions(fakeSource().source, { now: () => 0, maxAgeMs: 30_001 })).toThrow(
      RangeError,
    )
  })
})
