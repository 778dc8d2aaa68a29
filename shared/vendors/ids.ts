/**
 * Every vendor's id as plain data, for code that must not carry vendor code: the consent function
 * queues one erase request per vendor without bundling any vendor. index.ts checks at compile time,
 * and the contract test at run time, that it lists exactly the ids of VENDORS.
 */
export const VENDOR_ID_LIST = ['ga4', 'meta', 'linkedin', 'hubspot'] as const

/** Vendors that erase by the e-mail an admin gives (HubSpot): only their deliverers open a sealed e-mail. */
export const VENDORS_ERASING_BY_EMAIL: ReadonlyArray<(typeof VENDOR_ID_LIST)[number]> = ['hubspot']
