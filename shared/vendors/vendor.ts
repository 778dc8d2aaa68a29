import type { Purpose } from '#shared/consent/model.ts'
import type { EventType } from '#shared/events/model.ts'

export const VENDOR_IDS = ['ga4'] as const
export type VendorId = (typeof VENDOR_IDS)[number]

/** Which purpose each kind of event needs before a vendor may receive it; absent = not forwarded. */
export type PurposeByEvent = Partial<Record<EventType, Purpose>>
