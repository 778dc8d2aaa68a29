/**
 * The identifiers a vendor may receive beyond the anonymised event, once the decision allows that
 * vendor. The edge (shared/identity/) extracts them from the request and event before anything is
 * scrubbed and derives, for each permitted vendor, only the kinds that vendor declares.
 */
export const IDENTITY_KINDS = [
  /** SHA-256 (lowercase hex) of the trimmed, lowercased e-mail address. */
  'email',
  /** SHA-256 of the digits with country code, no leading zeros (vendors.md §2.3 `ph`). */
  'phone',
  /** SHA-256 of the lowercased name without punctuation (`fn`). */
  'firstName',
  /** SHA-256 of the lowercased name without punctuation (`ln`). */
  'lastName',
  /** SHA-256 of the lowercased city without digits, spaces or `().-` (`ct`). */
  'city',
  /** SHA-256 of the lowercased postcode without spaces, the part before `-` (`zp`). */
  'postcode',
  /** SHA-256 of the lowercase ISO 3166-1 alpha-2 code (`country`). */
  'country',
  /** The full user agent, unhashed (Meta requires it for website events). */
  'userAgent',
  /** Meta's `_fbp` cookie, checked against its format. */
  'fbp',
  /** Meta's `_fbc` cookie, or one built from `fbclid` in the landing URL, checked against its format. */
  'fbc',
  /** LinkedIn's first-party ads tracking id (`li_fat_id` URL parameter or cookie). */
  'liFatId',
  /** HubSpot's `hubspotutk` cookie. */
  'hubspotutk',
  /** The vendor's own keyed pseudonym of the visitor (64 hex), never the first-party id. */
  'externalId',
] as const

export type IdentityKind = (typeof IDENTITY_KINDS)[number]

/** What the edge derived for one vendor: only the kinds it declares, each already in its final form. */
export type GrantedIdentity = Partial<Record<IdentityKind, string>>

/** The identify traits the edge hashes; their hashes may be kept with the visitor's consent record. */
export const HASHED_TRAIT_KINDS = [
  'email',
  'phone',
  'firstName',
  'lastName',
  'city',
  'postcode',
  'country',
] as const satisfies ReadonlyArray<IdentityKind>

export type TraitKind = (typeof HASHED_TRAIT_KINDS)[number]

/** Hashed identify traits kept with a visitor's consent record while marketing is allowed. */
export type HashedTraits = Partial<Record<TraitKind, string>>
