import { LINKEDIN_MAX_PATH_CHARS } from './limits.ts'

/** Characters of a URL path (RFC 3986 pchar and `/`) plus the `*` wildcard. */
const PATTERN_CHARS = /^\/[A-Za-z0-9._~%!$&'()+,;=:@*/-]*$/
const ONE_SEGMENT = '*'
const ANY_REST = '**'

/**
 * Why this page path pattern is malformed, or null. A pattern is a path whose segments are literal,
 * `*` (exactly one segment) or, last, `**` (any remaining segments, also none): `/shop/*`,
 * `/pricing/**`. No regex from the admin: matching is one pass over the segments.
 */
export function pathPatternProblem(pattern: string): string | null {
  if (pattern.length > LINKEDIN_MAX_PATH_CHARS) return `longer than ${LINKEDIN_MAX_PATH_CHARS} characters`
  if (!PATTERN_CHARS.test(pattern)) return 'must be a path starting with / (URL path characters and *)'
  const segments = segmentsOf(pattern)
  for (const [index, segment] of segments.entries()) {
    if (segment === ANY_REST && index !== segments.length - 1) return '** may only be the last segment'
    if (segment !== ONE_SEGMENT && segment !== ANY_REST && segment.includes('*')) {
      return '* may only stand for a whole segment (/a/*/b) and ** only at the end'
    }
  }
  return null
}

/** Whether a page path matches a well-formed pattern; a path longer than the limit matches none. */
export function pathMatches(pattern: string, path: string): boolean {
  if (path.length > LINKEDIN_MAX_PATH_CHARS || !path.startsWith('/')) return false
  const wanted = segmentsOf(pattern)
  const actual = segmentsOf(path)
  for (const [index, segment] of wanted.entries()) {
    if (segment === ANY_REST) return true
    const candidate = actual[index]
    if (candidate === undefined) return false
    if (segment !== ONE_SEGMENT && segment !== candidate) return false
    if (segment === ONE_SEGMENT && candidate === '') return false
  }
  return actual.length === wanted.length
}

/** `/a/b/` and `/a/b` are one page; `/` has no segments. */
function segmentsOf(path: string): string[] {
  const inner = path.endsWith('/') ? path.slice(1, -1) : path.slice(1)
  return inner === '' ? [] : inner.split('/')
}
