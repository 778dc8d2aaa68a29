import type { Ga4Settings } from './settings.ts'

/**
 * What GA4 may receive beyond the fixed fields: the default is "drop what is unknown". A site widens
 * it with `forwardProperties`, `allowedUrlParams` and `forwardPageTitle` in its GA4 settings.
 */
export interface Ga4AllowList {
  /** GA4 parameter names (after snake-casing) that event properties may fill. */
  properties: ReadonlySet<string>
  /** Query parameters `page_location` and `page_referrer` keep besides `utm_*` (and click ids under marketing). */
  urlParams: ReadonlySet<string>
  /** Page titles are free text (`Profile of Jane Roe`): forwarded only when the site says so. */
  pageTitle: boolean
}

/**
 * The parameters of GA4's recommended events (e-commerce, lead, sign-up and login, content, games)
 * that carry no free text: amounts, codes and identifiers of things, not of people. `plan` is the
 * common SaaS addition. Free-text ones (`search_term`, `item_name`) are left to the site to allow.
 */
export const GA4_STANDARD_PROPERTIES: readonly string[] = [
  'value',
  'currency',
  'transaction_id',
  'tax',
  'shipping',
  'coupon',
  'payment_type',
  'shipping_tier',
  'affiliation',
  'discount',
  'price',
  'quantity',
  'item_id',
  'item_brand',
  'item_category',
  'item_variant',
  'item_list_id',
  'item_list_name',
  'index',
  'promotion_id',
  'promotion_name',
  'creative_name',
  'creative_slot',
  'location_id',
  'method',
  'content_type',
  'content_id',
  'lead_source',
  'plan',
  'level',
  'score',
  'achievement_id',
  'group_id',
  'virtual_currency_name',
]

/** Campaign parameters: `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `utm_id`. */
const CAMPAIGN_PARAMETER = /^utm_[a-z_]+$/i
/** Ad-click ids: kept only when the visitor allows marketing (they join a visit to an ad click). */
export const CLICK_ID_PARAMS: ReadonlySet<string> = new Set([
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'fbclid',
  'msclkid',
  'li_fat_id',
  'ttclid',
  'twclid',
])

type AllowListSettings = Pick<Ga4Settings, 'forwardProperties' | 'allowedUrlParams' | 'forwardPageTitle'>

/** Built once per settings object: the collector asks for it per event. */
const built = new WeakMap<AllowListSettings, Ga4AllowList>()

export function ga4AllowList(settings: AllowListSettings | undefined): Ga4AllowList {
  const known = settings && built.get(settings)
  if (known) return known
  const allowList = {
    properties: new Set(settings?.forwardProperties ?? GA4_STANDARD_PROPERTIES),
    urlParams: new Set(settings?.allowedUrlParams ?? []),
    pageTitle: settings?.forwardPageTitle ?? false,
  }
  if (settings) built.set(settings, allowList)
  return allowList
}

export const DEFAULT_GA4_ALLOW_LIST: Ga4AllowList = ga4AllowList(undefined)

/**
 * The (already scrubbed) URL with only the query parameters GA4 may see, and no fragment: `utm_*`,
 * click ids when marketing is allowed, and the site's own list. Parameters keep their order and bytes.
 */
export function allowedUrl(
  url: string | undefined,
  allow: Ga4AllowList,
  marketingAllowed: boolean,
  onDropped?: (parameterName: string) => void,
): string | undefined {
  if (url === undefined) return undefined
  const fragmentAt = url.indexOf('#')
  const withoutFragment = fragmentAt === -1 ? url : url.slice(0, fragmentAt)
  const querySeparator = withoutFragment.indexOf('?')
  if (querySeparator === -1) return withoutFragment
  const kept = withoutFragment
    .slice(querySeparator + 1)
    .split('&')
    .filter((parameter) => {
      const separator = parameter.indexOf('=')
      const name = separator === -1 ? parameter : parameter.slice(0, separator)
      const kept =
        CAMPAIGN_PARAMETER.test(name) ||
        allow.urlParams.has(name) ||
        (marketingAllowed && CLICK_ID_PARAMS.has(name))
      if (!kept) onDropped?.(name)
      return kept
    })
  const base = withoutFragment.slice(0, querySeparator)
  return kept.length > 0 ? `${base}?${kept.join('&')}` : base
}
