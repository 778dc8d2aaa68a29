import type { VendorId } from '#shared/vendors/index.ts'
import { type DeploymentConfig, deploymentConfigSchema } from './deployment-schema.ts'
import { ConfigError } from './errors.ts'

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
  /** The JSON secret `{siteId: signingKey}` of Calendly webhook subscriptions (collect only). */
  calendlySecretArn: 'CALENDLY_SECRET_ARN',
  /** Which vendor a deliverer deployment serves. */
  vendor: 'VENDOR',
  vendorSecretArn: 'VENDOR_SECRET_ARN',
  /** The vendor secret's JSON given directly (tests and benchmarks; never set by the stack). */
  vendorCredentials: 'VENDOR_CREDENTIALS',
  deadLetterQueueUrl: 'DLQ_URL',
  /** The deliverer's queue's maxReceiveCount: an erase request failing on its last receive is failed. */
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  /** The deliverer's own queue (to delay a record's next receive). */
  queueUrl: 'QUEUE_URL',
} as const

/** The collector's queue URL variable for one vendor. */
export function queueUrlVariable(vendor: VendorId): string {
  return `QUEUE_URL_${vendor.toUpperCase()}`
}

/** The admin function's view of one vendor's queues (status and redrive). */
export function queueArnVariable(vendor: VendorId): string {
  return `QUEUE_ARN_${vendor.toUpperCase()}`
}
export function deadLetterQueueUrlVariable(vendor: VendorId): string {
  return `DLQ_URL_${vendor.toUpperCase()}`
}
export function deadLetterQueueArnVariable(vendor: VendorId): string {
  return `DLQ_ARN_${vendor.toUpperCase()}`
}

/** A required environment variable; a missing one fails the function at init, not on first use. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]
  if (!value) throw new ConfigError(`Missing environment variable ${name}`)
  return value
}

/** The deliverer's MAX_RECEIVE_COUNT (set by the stack from the redrive policy); a bad value fails at init. */
export function maxReceiveCountFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const raw = requireEnv(ENV.maxReceiveCount, env)
  const count = Number(raw)
  if (!Number.isInteger(count) || count < 1)
    throw new ConfigError(`${ENV.maxReceiveCount} is ${raw}; expected a whole number of receives, at least 1`)
  return count
}

/**
 * The deployment configuration a Lambda function runs with (TAGWARDEN_CONFIG_JSON, set by the stack).
 * It holds no vendor settings, so this module imports no vendor: a function that sends to none (the
 * consent API) does not carry them in its bundle.
 */
export function deploymentConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  const inline = env[ENV.config]
  if (!inline) throw new ConfigError(`Missing environment variable ${ENV.config}`)
  let json: unknown
  try {
    json = JSON.parse(inline)
  } catch (cause) {
    throw new ConfigError(`${ENV.config} is not valid JSON`, { cause })
  }
  const result = deploymentConfigSchema.safeParse(json)
  if (result.success) return result.data
  const problems = result.error.issues.map(
    (issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  )
  throw new ConfigError(`Invalid ${ENV.config}:\n${problems.join('\n')}`)
}
