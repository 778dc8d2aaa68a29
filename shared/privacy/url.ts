import type { DetectorId } from './detectors/detection.ts'
import { isSensitiveKey } from './pii.ts'
import { PII_MARKER } from './pii-policy.ts'
import { type TextScreen, textScreen } from './text-screen.ts'

const WEB_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:'])
/** A path read whole is checked for what can span segments (`/a/@x.com`, `/030/1234567`), not for one long token. */
const NOT_ACROSS_SEGMENTS: ReadonlySet<DetectorId> = new Set(['token'])
/** Query parameters whose values are campaign fields (the `campaign` field kind). */
const CAMPAIGN_PARAMETER = /^utm_/i

/**
 * A page URL safe to forward: http(s) only, no userinfo; every path segment, query key and value and the
 * fragment screened by the PII policy (`screen`, which also records what it removed); parameters named
 * like personal data removed. Everything else stays byte for byte as the browser serialised it,
 * parameters in their order. Unparseable → undefined. `field` names the URL in the decision trace.
 */
export function scrubUrl(
  url: string | undefined,
  screen: TextScreen = textScreen([]),
  field = 'url',
): string | undefined {
  const parsed = parseWebUrl(url)
  if (!parsed) return undefined
  const host = screen.keep('pathSegment', `${field}.host`, parsed.host) ?? PII_MARKER
  const path = scrubPath(parsed.pathname, screen, field)
  const query = keepHarmlessParameters(parsed.search.slice(1), screen, `${field}.query`)
  const fragment = scrubFragment(parsed.hash.slice(1), screen, `${field}.fragment`)
  const rest = `${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`
  return `${parsed.protocol}//${host}${path}${rest && screen.keep('queryValue', `${field}.query`, rest) !== undefined ? rest : ''}`
}

/** The strict profile's page URL: origin and (scrubbed) path only. */
export function stripQueryAndFragment(
  url: string | undefined,
  screen: TextScreen = textScreen([]),
  field = 'url',
): string | undefined {
  const parsed = parseWebUrl(url)
  if (!parsed) return undefined
  const host = screen.keep('pathSegment', `${field}.host`, parsed.host) ?? PII_MARKER
  return `${parsed.protocol}//${host}${scrubPath(parsed.pathname, screen, field)}`
}

function parseWebUrl(url: string | undefined): URL | undefined {
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined
  const parsed = new URL(url)
  return WEB_PROTOCOLS.has(parsed.protocol) ? parsed : undefined
}

/**
 * Each segment screened, then the path once more as a whole, because a raw e-mail address or phone
 * number can span the segments (`/a/@x.com`, `/030/1234567`), each of which alone looks harmless.
 */
function scrubPath(path: string, screen: TextScreen, field: string): string {
  const segments = path.split('/').map((segment) => {
    if (segment === '') return segment
    return screen.keep('pathSegment', `${field}.path`, segment) ?? PII_MARKER
  })
  const scrubbed = segments.join('/')
  const whole = screen.keep('pathSegment', `${field}.path`, scrubbed, NOT_ACROSS_SEGMENTS)
  return whole === scrubbed ? scrubbed : `/${PII_MARKER}`
}

/** `a=1&b=2` with the revealing parameters removed (and IPs truncated); the rest untouched, in order. */
function keepHarmlessParameters(query: string, screen: TextScreen, field: string): string {
  if (query === '') return ''
  const kept: string[] = []
  for (const parameter of query.split('&')) {
    const separator = parameter.indexOf('=')
    const name = separator === -1 ? parameter : parameter.slice(0, separator)
    if (isSensitiveName(name)) {
      screen.dropNamed('queryKey', field)
      continue
    }
    const keptName = screen.keep('queryKey', field, name)
    if (keptName === undefined) continue
    if (separator === -1) {
      kept.push(keptName)
      continue
    }
    const kind = CAMPAIGN_PARAMETER.test(name) ? 'campaign' : 'queryValue'
    const value = screen.keep(kind, `${field}.${keptName}`, parameter.slice(separator + 1))
    if (value !== undefined) kept.push(`${keptName}=${value}`)
  }
  return kept.some((parameter) => parameter !== '') ? kept.join('&') : ''
}

function isSensitiveName(name: string): boolean {
  if (isSensitiveKey(name)) return true
  if (!name.includes('%') && !name.includes('+')) return false
  try {
    return isSensitiveKey(decodeURIComponent(name.replaceAll('+', ' ')))
  } catch {
    return false
  }
}

/**
 * Single-page apps put routes (`#/pricing`) and parameters (`#access_token=…&state=…`) in the fragment.
 * Parameters are filtered like a query; a route that reveals something drops the whole fragment.
 */
function scrubFragment(fragment: string, screen: TextScreen, field: string): string {
  if (fragment === '') return ''
  const querySeparator = fragment.indexOf('?')
  if (querySeparator === -1) {
    if (fragment.includes('=')) return keepHarmlessParameters(fragment, screen, field)
    return screen.keep('fragment', field, fragment) ?? ''
  }
  const route = screen.keep('fragment', field, fragment.slice(0, querySeparator))
  if (route === undefined) return ''
  const query = keepHarmlessParameters(fragment.slice(querySeparator + 1), screen, field)
  return query ? `${route}?${query}` : route
}
