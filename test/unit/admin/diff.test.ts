import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { leafDiff } from '#shared/admin/diff.ts'

describe('leafDiff', () => {
  it('names each changed leaf by its JSON-pointer path, with before and after', () => {
    const before = { enabled: true, transfer: { country: 'US', safeguard: 'dpf' }, forms: ['a'] }
    const after = { enabled: false, transfer: { country: 'US', safeguard: 'scc' }, forms: ['a', 'b'] }
    expect(leafDiff(before, after)).toEqual([
      { path: '/enabled', before: true, after: false },
      { path: '/forms', before: ['a'], after: ['a', 'b'] },
      { path: '/transfer/safeguard', before: 'dpf', after: 'scc' },
    ])
  })

  it('leaves out before for an added leaf and after for a removed one, and escapes / and ~ in keys', () => {
    expect(leafDiff({ 'a/b': 1 }, { 'c~d': { e: 2 } })).toEqual([
      { path: '/a~1b', before: 1 },
      { path: '/c~0d/e', after: 2 },
    ])
    expect(leafDiff(undefined, { version: '1' })).toEqual([{ path: '/version', after: '1' }])
  })

  it('finds nothing between a value and itself, and something between any two different values', () => {
    const json = fc.jsonValue()
    fc.assert(fc.property(json, (value) => leafDiff(value, structuredClone(value)).length === 0))
    fc.assert(
      fc.property(json, json, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b))
        return leafDiff(a, b).length > 0
      }),
    )
  })
})
