import { MAX_CLICK_ID_LENGTH, MAX_COOKIE_VALUE_LENGTH } from './limits.ts'

/**
 * Format checks for the vendors' own ids (vendors.md §2.3, §2.7 rule 11, §3.2, §4.5 rule 5). A value
 * that fails is absent: it is not an id the vendor issued. Ids are never modified (`fbclid` is
 * case-sensitive). Each pattern is linear: its parts are separated by dots its classes exclude.
 */

const FBP = /^fb\.\d+\.\d{13}\.\d+(?:\.[A-Za-z0-9_-]+)?$/
const FBC = /^fb\.\d+\.\d{13}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?$/
const FBCLID = /^[A-Za-z0-9_-]+$/
/** `LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID`: LinkedIn's click id is a UUID. */
const LI_FAT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const HUBSPOT_UTK = /^[0-9a-f]{32}$/i
/** `fb.<subdomainIndex>.`: 1 is the index Meta's pixel uses for a cookie set on the site's domain. */
const FBC_PREFIX = 'fb.1.'

const checked = (pattern: RegExp, maxLength: number) => (value: string | undefined) =>
  value !== undefined && value.length <= maxLength && pattern.test(value) ? value : undefined

/** Meta's browser id cookie `_fbp`: `fb.<subdomainIndex>.<creation ms>.<random>[.<appendix>]`. */
export const checkFbp = checked(FBP, MAX_COOKIE_VALUE_LENGTH)
/** Meta's click id cookie `_fbc`: `fb.<subdomainIndex>.<creation ms>.<fbclid>[.<appendix>]`. */
export const checkFbc = checked(FBC, MAX_COOKIE_VALUE_LENGTH)
/** `fbclid` from a landing URL. */
export const checkFbclid = checked(FBCLID, MAX_CLICK_ID_LENGTH)
/** LinkedIn's `li_fat_id`, from the cookie or the landing URL. */
export const checkLiFatId = checked(LI_FAT_ID, MAX_CLICK_ID_LENGTH)
/** HubSpot's `hubspotutk` cookie (`hutk`). */
export const checkHubspotUtk = checked(HUBSPOT_UTK, MAX_COOKIE_VALUE_LENGTH)

/** The `_fbc` value Meta's pixel would have set for a click `fbclid` first seen at `receivedAt`. */
export function fbcFromFbclid(fbclid: string | undefined, receivedAt: Date): string | undefined {
  const click = checkFbclid(fbclid)
  if (click === undefined) return undefined
  return checkFbc(`${FBC_PREFIX}${receivedAt.getTime()}.${click}`)
}
