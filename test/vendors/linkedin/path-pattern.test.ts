import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LINKEDIN_MAX_PATH_CHARS } from '#shared/vendors/linkedin/limits.ts'
import { pathMatches, pathPatternProblem } from '#shared/vendors/linkedin/path-pattern.ts'

describe('LinkedIn page path patterns', () => {
  it.each([
    ['/pricing', '/pricing', true],
    ['/pricing', '/pricing/', true],
    ['/pricing', '/pricing/teams', false],
    ['/pricing', '/pricingx', false],
    ['/pricing/**', '/pricing', true],
    ['/pricing/**', '/pricing/a/b/c', true],
    ['/pricing/**', '/pricin', false],
    ['/shop/*/done', '/shop/42/done', true],
    ['/shop/*/done', '/shop//done', false],
    ['/shop/*/done', '/shop/42/43/done', false],
    ['/**', '/anything/at/all', true],
    ['/', '/', true],
    ['/', '/a', false],
    ['/Pricing', '/pricing', false],
  ])('%s against %s: %s', (pattern, path, expected) => {
    expect(pathPatternProblem(pattern)).toBeNull()
    expect(pathMatches(pattern, path)).toBe(expected)
  })

  it.each([
    ['pricing', 'starting with /'],
    ['/a/**/b', 'last segment'],
    ['/a*', 'whole segment'],
    ['/a/b*c', 'whole segment'],
    ['/a b', 'starting with /'],
    ['/a?b', 'starting with /'],
  ])('refuses the pattern %s', (pattern, problem) => {
    expect(pathPatternProblem(pattern)).toContain(problem)
  })

  it('refuses a pattern longer than the limit', () => {
    expect(pathPatternProblem(`/${'a'.repeat(LINKEDIN_MAX_PATH_CHARS)}`)).toContain('longer than')
  })

  it('reads regex syntax literally: /(a+)+ matches only that path', () => {
    expect(pathPatternProblem('/(a+)+')).toBeNull()
    expect(pathMatches('/(a+)+', '/(a+)+')).toBe(true)
    expect(pathMatches('/(a+)+', '/aaa')).toBe(false)
  })

  it('matches no path longer than the limit', () => {
    expect(pathMatches('/**', `/${'a'.repeat(LINKEDIN_MAX_PATH_CHARS)}`)).toBe(false)
  })

  it('matches a path against itself and its ** parent, and stays fast on long inputs (property)', () => {
    const segment = fc.stringMatching(/^[a-z0-9-]{1,12}$/)
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 20 }), (segments) => {
        const path = `/${segments.join('/')}`
        expect(pathPatternProblem(path)).toBeNull()
        expect(pathMatches(path, path)).toBe(true)
        expect(pathMatches(`/${segments[0]}/**`, path)).toBe(true)
        expect(pathMatches(`/${segments.map(() => '*').join('/')}`, path)).toBe(true)
      }),
    )
    const started = performance.now()
    const long = `/${'a/'.repeat(1000)}`
    for (let round = 0; round < 100; round += 1) pathMatches(`/${'*/'.repeat(1000)}b`, long)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
