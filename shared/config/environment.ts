import type { VendorId } from '#shared/vendors/index.ts'

/**
 * The environment variables the stack sets and the functions read: one list, so infra's bind calls
 * and the Lambda entries cannot drift apart.
 */
export const ENV = {
  /** The deployment config (sites, retention, trust proxy) as JSON; vendor settings are in the config table. */
  config: 'TAGWARDEN_CONFIG_JSON',
  consentTable: 'CONSENT_TABLE_NAME',
  configTable: 'CONFIG_TABLE_NAME',
  idempotencyTable: 'IDEMPOTENCY_TABLE_NAME',
  pseudonymSecretArn: 'PSEUDONYM_SECRET_ARN',
  /** Which vendor a deliverer deployment serves. */
  vendor: 'VENDOR',
  vendorSecretArn: 'VENDOR_SECRET_ARN',
  /** The vendor secret's JSON given directly (tests and benchmarks; never set by the stack). */
  vendorCredentials: 'VENDOR_CREDENTIALS',
  deadLetterQueueUrl: 'DLQ_URL',
  /** The deliverer's own queue (to delay a record's next receive). */
  queueUrl: 'QUEUE_URL',
} as const

/** The collector's queue URL variable for one vendor. */
export function queueUrlVariable(vendor: VendorId): string {
  return `QUEUE_URL_${vendor.toUpperCase()}`
}
