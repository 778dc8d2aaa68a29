/** Meta's standard event names (vendors.md §2.2); any other name is a custom event. */
export const META_STANDARD_EVENTS = [
  'PageView',
  'ViewContent',
  'AddToCart',
  'Purchase',
  'Search',
  'InitiateCheckout',
  'AddToWishlist',
  'AddPaymentInfo',
  'Lead',
  'CompleteRegistration',
  'Contact',
  'CustomizeProduct',
  'Donate',
  'FindLocation',
  'Schedule',
  'StartTrial',
  'SubmitApplication',
  'Subscribe',
] as const

export type MetaStandardEvent = (typeof META_STANDARD_EVENTS)[number]
