import { containsPii, decodedForms, isSensitiveKey, looksLikeToken, REDACTED } from './pii.ts'

const WEB_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:'])

/**
 * A page URL safe to forward: http(s) only, no userinfo, no query or fragment parameter that is named
 * like personal data or holds an e-mail, phone or token, no path segment holding one. Everything else
 * stays byte for byte as the browser serialised it, parameters in their order. Unparseable → undefined.
 */
export function scrubUrl(url: string | undefined): string | undefined {
  const parsed = parseWebUrl(url)
  if (!parsed) return undefined
  const path = scrubPath(parsed.pathname)
  const query = withoutPii(keepHarmlessParameters(parsed.search.slice(1)))
  const fragment = withoutPii(scrubFragment(parsed.hash.slice(1)))
  const rest = `${path}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`
  return `${origin(parsed)}${containsPii(rest) ? path : rest}`
}

/** The strict profile's page URL: origin and (scrubbed) path only. */
export function stripQueryAndFragment(url: string | undefined): string | undefined {
  const parsed = parseWebUrl(url)
  return parsed ? `${origin(parsed)}${scrubPath(parsed.pathname)}` : undefined
}

function parseWebUrl(url: string | undefined): URL | undefined {
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined
  const parsed = new URL(url)
  return WEB_PROTOCOLS.has(parsed.protocol) ? parsed : undefined
}

/** Built from parts rather than taken from `href`, which is how the username and password are left out. */
function origin(url: URL): string {
  return `${url.protocol}//${url.host}`
}

function scrubPath(path: string): string {
  const scrubbed = path
    .split('/')
    .map((segment) => (isHarmless(segment) ? segment : REDACTED))
    .join('/')
  return containsPii(scrubbed) ? `/${REDACTED}` : scrubbed
}

/**
 * Parts are checked once more as a whole because a raw e-mail address can span the pieces they were
 * filtered by (`?q=a&b=@x.com`, `/a/@x.com`, `/a?=@x.com`), each of which alone looks harmless.
 */
function withoutPii(part: string): string {
  return containsPii(part) ? '' : part
}

/** `a=1&b=2` with the revealing parameters removed; the rest untouched, in order. */
function keepHarmlessParameters(query: string): string {
  if (query === '') return ''
  const kept = query.split('&').filter((parameter) => {
    const separator = parameter.indexOf('=')
    const name = separator === -1 ? parameter : parameter.slice(0, separator)
    const value = separator === -1 ? '' : parameter.slice(separator + 1)
    return !decodedForms(name).some(isSensitiveKey) && isHarmless(name) && isHarmless(value)
  })
  return kept.some((parameter) => parameter !== '') ? kept.join('&') : ''
}

/**
 * Single-page apps put routes (`#/pricing`) and parameters (`#access_token=…&state=…`) in the fragment.
 * Parameters are filtered like a query; a route that reveals something drops the whole fragment.
 */
function scrubFragment(fragment: string): string {
  if (fragment === '') return ''
  const querySeparator = fragment.indexOf('?')
  if (querySeparator === -1) {
    if (fragment.includes('=')) return keepHarmlessParameters(fragment)
    return isHarmless(fragment) ? fragment : ''
  }
  const route = fragment.slice(0, querySeparator)
  if (!isHarmless(route)) return ''
  const query = keepHarmlessParameters(fragment.slice(querySeparator + 1))
  return query ? `${route}?${query}` : route
}

function isHarmless(text: string): boolean {
  return !containsPii(text) && !decodedForms(text).some(looksLikeToken)
}
