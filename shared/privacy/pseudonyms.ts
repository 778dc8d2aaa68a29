import { memoize } from '#shared/lib/memoize.ts'
import { consentKey, ga4ClientId } from '#shared/privacy/pseudonym.ts'

/** The keyed pseudonyms of one site's visitors, each computed once per request. */
export interface Pseudonyms {
  consentKey(visitorId: string): string
  ga4ClientId(visitorId: string): string
}

export function pseudonymsFor(pseudonymKey: string, siteId: string): Pseudonyms {
  return {
    consentKey: memoize((visitorId: string) => consentKey(pseudonymKey, siteId, visitorId)),
    ga4ClientId: memoize((visitorId: string) => ga4ClientId(pseudonymKey, siteId, visitorId)),
  }
}
