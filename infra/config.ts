import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Node } from 'constructs'
import * as z from 'zod'
import { configSchema } from '#shared/config/schema.ts'
import { DEFAULT_MAX_RECEIVE_COUNT } from '#shared/delivery/timing.ts'
import { VENDORS } from '#shared/vendors/index.ts'
import { vendorSettingsRefusal } from '#shared/vendors/runtime-settings.ts'
import { DELIVERED_VENDORS } from './vendors.ts'

/** cdk.json context key naming a JSON configuration file (relative to the working directory). */
export const CONFIG_FILE_CONTEXT_KEY = 'tagwarden:configFile'
/** cdk.json context key holding the configuration inline (an object, or a JSON string from `-c`). */
export const INLINE_CONFIG_CONTEXT_KEY = 'tagwarden:config'

/** Lambda allows 4 KB of environment in total; the rest is table names, queue URLs and ARNs. */
export const MAX_RUNTIME_CONFIG_BYTES = 3 * 1024

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]

/** API Gateway's default account-level limits; a stage cannot be set higher. */
const MAX_RATE_LIMIT_PER_SECOND = 10_000
const MAX_BURST_LIMIT = 5_000

/** The SQS event source mapping accepts a maximum concurrency between 2 and 1000. */
const MIN_DELIVERER_CONCURRENCY = 2
const MAX_DELIVERER_CONCURRENCY = 1000
export const DEFAULT_DELIVERER_CONCURRENCY = MIN_DELIVERER_CONCURRENCY

const collectSchema = z.strictObject({
  /**
   * Concurrent collector invocations reserved for, and the most allowed to, the collect function.
   * Absent: no reservation, the collector shares the account's unreserved pool with the consent API.
   * Lambda keeps at least 100 of the account's concurrency unreserved, so stay below its limit − 100.
   */
  reservedConcurrency: z.int().positive().optional(),
})

const vendorDeliverySchema = z.strictObject({
  /** Most deliverer invocations running at once for this vendor (default 2). */
  maxConcurrency: z
    .int()
    .min(MIN_DELIVERER_CONCURRENCY)
    .max(MAX_DELIVERER_CONCURRENCY)
    .default(DEFAULT_DELIVERER_CONCURRENCY),
})

const deliverySchema = z.strictObject({
  /**
   * Receives before a message moves to the vendor's DLQ (default 12: with the deliverer's backoff,
   * 2 s doubling to a 15 min cap with full jitter, that is up to 62 min of retries, about 31 min on
   * average; docs/deploy.md "Retries").
   */
  maxReceiveCount: z.int().min(1).max(100).default(DEFAULT_MAX_RECEIVE_COUNT),
  /** How long a dead-lettered message is kept for inspection and redrive (default 14, the SQS maximum). */
  deadLetterRetentionDays: z.int().min(1).max(14).default(14),
  /** Alarm when a vendor queue's oldest message is older than this (default 15 minutes). */
  oldestMessageAlarmMinutes: z
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  vendors: z.partialRecord(z.enum(DELIVERED_VENDORS), vendorDeliverySchema).default({}),
})

export const infraConfigSchema = z
  .strictObject({
    /** Short deployment name; part of the stack name (`Tagwarden-<stage>`). */
    stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be 1-20 lowercase letters, digits and dashes'),
    /** Serves real visitors: vendor settings meant for testing (a Meta test event code) are refused (default true). */
    production: z.boolean().default(true),
    /** Target account; absent: environment-agnostic (whatever the CLI credentials point at). */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** Target region; absent: environment-agnostic. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as eu-central-1')
      .optional(),
    /** Receives every alarm (confirm the SNS subscription e-mail after the first deploy). */
    alarmEmail: z.email({
      error: (issue) => (issue.input === undefined ? 'is required' : 'must be an e-mail address'),
    }),
    throttling: z.strictObject({
      rateLimit: z.number().positive().max(MAX_RATE_LIMIT_PER_SECOND),
      burstLimit: z.int().positive().max(MAX_BURST_LIMIT),
    }),
    /** The first-party subdomain the endpoint is served on, with a regional ACM certificate for it. */
    customDomain: z
      .strictObject({
        domainName: z
          .string()
          .regex(
            /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
            'must be a lowercase host name',
          ),
        certificateArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/,
            'must be an ACM certificate ARN',
          ),
      })
      .optional(),
    /** Retention of function logs and API access logs, in days (default 30). */
    logRetentionDays: z
      .int()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
      .default(30),
    /** The collect function's settings (default: none). */
    collect: collectSchema.default({}),
    delivery: deliverySchema.default({
      maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
      deadLetterRetentionDays: 14,
      oldestMessageAlarmMinutes: 15,
      vendors: {},
    }),
    /** What the functions run with: shared/config/schema.ts, passed to them as TAGWARDEN_CONFIG_JSON. */
    runtime: configSchema,
  })
  .superRefine((config, context) => {
    const runtimeBytes = Buffer.byteLength(JSON.stringify(config.runtime))
    if (runtimeBytes > MAX_RUNTIME_CONFIG_BYTES) {
      context.addIssue({
        code: 'custom',
        path: ['runtime'],
        message: `is ${runtimeBytes} bytes as JSON; Lambda's 4 KB environment leaves room for ${MAX_RUNTIME_CONFIG_BYTES}`,
      })
    }
    for (const vendor of VENDORS) {
      const settings = config.runtime.vendors[vendor.id]
      const refusal = settings && vendorSettingsRefusal(vendor, settings, config.production)
      if (refusal)
        context.addIssue({ code: 'custom', path: ['runtime', 'vendors', vendor.id], message: refusal })
    }
    const certificateRegion = config.customDomain?.certificateArn.split(':')[3]
    if (config.region && certificateRegion && certificateRegion !== config.region) {
      context.addIssue({
        code: 'custom',
        path: ['customDomain', 'certificateArn'],
        message: `is in ${certificateRegion}; a regional API needs a certificate in ${config.region}`,
      })
    }
  })

export type InfraConfig = z.infer<typeof infraConfigSchema>

export class InfraConfigError extends Error {
  override name = 'InfraConfigError'
}

/** Validates a deployment configuration; the error names every bad or missing field by its path. */
export function parseInfraConfig(input: unknown, source = 'deployment configuration'): InfraConfig {
  const result = infraConfigSchema.safeParse(input, {
    error: (issue) => (issue.input === undefined ? 'is required' : undefined),
  })
  if (result.success) return result.data
  const problems = result.error.issues.map(
    (issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  )
  throw new InfraConfigError(`Invalid ${source}:\n${problems.join('\n')}`)
}

/**
 * The configuration named by cdk.json context: a file (`tagwarden:configFile`, wins when both are
 * set, so `-c tagwarden:configFile=prod.json` overrides the checked-in default) or inline
 * (`tagwarden:config`).
 */
export function infraConfigFromContext(node: Node, workingDirectory = process.cwd()): InfraConfig {
  const file: unknown = node.tryGetContext(CONFIG_FILE_CONTEXT_KEY)
  if (typeof file === 'string' && file !== '') {
    const path = resolve(workingDirectory, file)
    return parseInfraConfig(readJsonFile(path), `configuration file ${file}`)
  }
  const inline: unknown = node.tryGetContext(INLINE_CONFIG_CONTEXT_KEY)
  if (inline !== undefined) {
    const value =
      typeof inline === 'string' ? parseJson(inline, `context ${INLINE_CONFIG_CONTEXT_KEY}`) : inline
    return parseInfraConfig(value, `context ${INLINE_CONFIG_CONTEXT_KEY}`)
  }
  throw new InfraConfigError(
    `No deployment configuration: set context ${CONFIG_FILE_CONTEXT_KEY} (a JSON file) or ${INLINE_CONFIG_CONTEXT_KEY} in cdk.json or with -c`,
  )
}

function readJsonFile(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new InfraConfigError(`Cannot read configuration file ${path}`, { cause })
  }
  return parseJson(text, `configuration file ${path}`)
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new InfraConfigError(`${source} is not valid JSON`, { cause })
  }
}
