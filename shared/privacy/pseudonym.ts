import { createHmac } from 'node:crypto'

/**
 * Keyed pseudonyms: vendors and tables never see the first-party visitor id, only a keyed HMAC of it
 * that differs per use, so ids cannot be joined across vendors or recomputed without the key.
 */
function hmac(key: string, message: string): Buffer {
  return createHmac('sha256', key).update(message).digest()
}

/** Identifies a visitor's consent record. Both the consent API and the collector derive it. */
export function consentKey(pseudonymKey: string, siteId: string, visitorId: string): string {
  return hmac(pseudonymKey, `consent\u0000${siteId}\u0000${visitorId}`).toString('base64url')
}

/** A vendor-specific pseudonym as 64 hex characters. */
export function vendorPseudonym(
  pseudonymKey: string,
  vendor: string,
  siteId: string,
  visitorId: string,
): string {
  return hmac(pseudonymKey, `vendor\u0000${vendor}\u0000${siteId}\u0000${visitorId}`).toString('hex')
}

/** GA4 `client_id`, shaped like gtag's `<random 10 digits>.<10 digits>`; stable per visitor. */
export function ga4ClientId(pseudonymKey: string, siteId: string, visitorId: string): string {
  const digest = hmac(pseudonymKey, `vendor\u0000ga4\u0000${siteId}\u0000${visitorId}`)
  const first = digest.readUInt32BE(0) + 1_000_000_000
  const second = (digest.readUInt32BE(4) % 900_000_000) + 1_000_000_000
  return `${first % 10_000_000_000}.${second}`
}
