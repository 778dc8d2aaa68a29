import { checkFbclid, checkLiFatId } from './formats.ts'

/** Click ids a vendor's ad appends to the landing URL, checked against their formats. */
export interface LandingClickIds {
  fbclid?: string
  liFatId?: string
}

const WEB_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:'])

/**
 * `fbclid` and `li_fat_id` from the raw page URL (before scrubbing removes them). The URL is bounded
 * by the event schema (MAX_PAGE_FIELD_LENGTH); the first occurrence of a parameter wins.
 */
export function landingClickIds(url: string | undefined): LandingClickIds {
  if (typeof url !== 'string' || !URL.canParse(url)) return {}
  const parsed = new URL(url)
  if (!WEB_PROTOCOLS.has(parsed.protocol) || parsed.search === '') return {}
  const fbclid = checkFbclid(parsed.searchParams.get('fbclid') ?? undefined)
  const liFatId = checkLiFatId(parsed.searchParams.get('li_fat_id') ?? undefined)
  return { ...(fbclid ? { fbclid } : {}), ...(liFatId ? { liFatId } : {}) }
}
