import type * as z from 'zod/mini'
import type { VendorRequest } from '#shared/delivery/http.ts'
import { GA4_STANDARD_PROPERTIES } from '#shared/vendors/ga4/allow-list.ts'
import { ga4Vendor } from '#shared/vendors/ga4/index.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import type { SettingsOf, VendorId, VendorOf } from '#shared/vendors/index.ts'
import { linkedinVendor } from '#shared/vendors/linkedin/index.ts'
import { metaVendor } from '#shared/vendors/meta/index.ts'
import { META_DEFAULT_CUSTOM_DATA } from '#shared/vendors/meta/settings.ts'
import { validateGa4Request } from '../support/ga4-validator.ts'
import { hubspotRequestViolations } from '../support/hubspot-validator.ts'
import { linkedinRequestViolations } from '../support/linkedin-validator.ts'
import { metaRequestViolations } from '../support/meta-validator.ts'

export type CredentialsOf<Id extends VendorId> = z.output<VendorOf<Id>['credentialsSchema']>

/**
 * Text fields of a CollectedEvent that the collector screens for personal data (e-mail addresses,
 * phone numbers, IPs and the visitor's own ids) before any vendor sees them (shared/ingest/anonymise.ts).
 * Property keys are screened too, but no vendor forwards a key as it came, so they are not listed.
 */
export type ScreenedField =
  | 'name'
  | 'page.url'
  | 'page.title'
  | 'page.referrer'
  | 'property values'
  | 'context.sessionId'

/** What the vendor contract test needs to know about one vendor; every vendor in VENDORS must have one. */
export interface ContractFixture<Id extends VendorId> {
  /** As the config table holds them (parsed): chosen to forward as much as the vendor can. */
  settings: SettingsOf<Id>
  credentials: CredentialsOf<Id>
  /** The vendor's independent validator (test/support): every violated rule, empty when the request passes. */
  validate(request: VendorRequest, now: Date): string[]
  /**
   * The screened fields this vendor forwards (possibly reshaped) as they arrive, relying on the
   * collector's screening: the no-PII property puts raw values only into the other fields.
   */
  forwardsScreened: ReadonlyArray<ScreenedField>
  /** Property names these settings forward: generated events use them besides random ones. */
  propertyKeys: ReadonlyArray<string>
}

/** The ad-hoc names the fixtures' settings allow on top of each vendor's standard ones. */
const EXTRA_PROPERTY_KEYS = ['label', 'tier'] as const
const EXTRA_URL_PARAMS = ['q', 'ref'] as const

const ga4Settings = ga4Vendor.settingsSchema.parse({
  enabled: true,
  measurementId: 'G-CONTRACT1',
  sendTruncatedIp: true,
  forwardPageTitle: true,
  forwardProperties: [...GA4_STANDARD_PROPERTIES, ...EXTRA_PROPERTY_KEYS],
  allowedUrlParams: [...EXTRA_URL_PARAMS],
})

const metaSettings = metaVendor.settingsSchema.parse({
  enabled: true,
  pixelId: '123456789012345',
  sendTruncatedIp: true,
  eventNames: { 'Order Completed': 'Purchase', 'Signed Up': 'CompleteRegistration' },
  customData: [...META_DEFAULT_CUSTOM_DATA, ...EXTRA_PROPERTY_KEYS],
})

export const CONTRACT_FIXTURES: { [Id in VendorId]: ContractFixture<Id> } = {
  ga4: {
    settings: ga4Settings,
    credentials: { apiSecret: 'contract-ga4-api-secret' },
    validate: (request, now) => validateGa4Request(request, now),
    // Allow-listed URL parameters, the title (forwardPageTitle), allowed property values and the
    // client's session id go as they arrive; GA4's own e-mail check is a second line, not relied on here.
    forwardsScreened: [
      'name',
      'page.url',
      'page.title',
      'page.referrer',
      'property values',
      'context.sessionId',
    ],
    propertyKeys: [...GA4_STANDARD_PROPERTIES, ...EXTRA_PROPERTY_KEYS],
  },
  meta: {
    settings: metaSettings,
    credentials: { accessToken: 'contract-meta-access-token' },
    validate: (request, now) => metaRequestViolations(request, now),
    // event_source_url is the page URL as it arrives; custom event names keep digits, hyphens and
    // spaces; custom_data drops e-mail- and phone-like text itself but cannot know visitor ids.
    forwardsScreened: ['name', 'page.url', 'property values'],
    propertyKeys: [...META_DEFAULT_CUSTOM_DATA, ...EXTRA_PROPERTY_KEYS],
  },
  linkedin: {
    settings: linkedinVendor.settingsSchema.parse({
      enabled: true,
      conversions: [
        { event: 'Order Completed', conversion: 'urn:lla:llaPartnerConversion:1' },
        { event: 'Signed Up', conversion: 'urn:lla:llaPartnerConversion:2' },
        { pagePath: '/**', conversion: 'urn:lla:llaPartnerConversion:3' },
      ],
    }),
    credentials: { accessToken: 'contract-linkedin-access-token' },
    validate: (request, now) => linkedinRequestViolations(request, now),
    forwardsScreened: [],
    propertyKeys: ['value', 'currency'],
  },
  hubspot: {
    settings: hubspotVendor.settingsSchema.parse({
      enabled: true,
      portalId: '1234567',
      eventNames: { 'Order Completed': 'order_completed', 'Signed Up': 'signed_up' },
      pageViewEventName: 'page_viewed',
      pageUrlProperty: 'page_url',
      properties: [...EXTRA_PROPERTY_KEYS, 'value', 'currency'],
    }),
    credentials: { accessToken: 'contract-hubspot-access-token' },
    validate: (request, now) => hubspotRequestViolations(request, now),
    forwardsScreened: ['page.url', 'property values'],
    propertyKeys: [...EXTRA_PROPERTY_KEYS, 'value', 'currency'],
  },
}
