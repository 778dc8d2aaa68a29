import { Duration, SecretValue, Validations } from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { ENV } from '#shared/config/environment.ts'
import { delivererTimeoutSeconds, visibilityTimeoutSeconds } from '#shared/delivery/timing.ts'
import type { DeliveredVendor, VendorDeliveryProfile } from '../vendors.ts'
import { TagwardenFunction } from './tagwarden-function.ts'

/** Mirrors the partition of shared/adapters' last-delivery store (infra imports no adapters). */
export const VENDOR_STATUS_PARTITION = 'vendor-status'

/**
 * SQS's longest retention, set explicitly (the default is 4 days). Every retry fits well inside it:
 * at most 100 receives (the config maximum of maxReceiveCount), each at most 15 min apart
 * (RETRY_MAX_BACKOFF_SECONDS, or the visibility timeout when a delay cannot be set) is about 25 h,
 * so a long vendor outage ends in the dead-letter queue, never in deletion.
 */
export const QUEUE_RETENTION = Duration.days(14)

export function delivererTimeout(requestTimeoutMs: number): Duration {
  return Duration.seconds(delivererTimeoutSeconds(requestTimeoutMs))
}

export interface VendorDeliveryProps {
  readonly vendor: DeliveredVendor
  readonly profile: VendorDeliveryProfile
  /** The vendor's HTTP request timeout; the deliverer timeout and queue visibility follow from it. */
  readonly requestTimeoutMs: number
  /** Most deliverer invocations at once for this vendor (the SQS event source minimum is 2). */
  readonly maxConcurrency: number
  /** Receives before a message is moved to the dead-letter queue. */
  readonly maxReceiveCount: number
  readonly deadLetterRetention: Duration
  readonly runtimeConfig: DeploymentConfig
  /** Read at send time so a revocation stops queued events. */
  readonly consentTable: ITableV2
  /**
   * The vendor settings in force (its switch among them), read through a cache of at most 30 s; the
   * deliverer writes its last batch's outcome to the `vendor-status` partition.
   */
  readonly configTable: ITableV2
  readonly logRetention: RetentionDays
  /**
   * The pseudonym key, for a vendor that erases by e-mail only: its deliverer opens the e-mail sealed
   * in an erase request with a key derived from it (shared/privacy/sealed-email.ts).
   */
  readonly pseudonymKey?: ISecret
}

/**
 * One vendor's isolated delivery pipeline: its queue and dead-letter queue, its deliverer (one
 * deployment of functions/deliver.ts) with its own concurrency budget, and the secret holding its
 * API credentials that no other function can read. An outage at one vendor never delays another.
 */
export class VendorDelivery extends Construct {
  public readonly queue: Queue
  public readonly deadLetterQueue: Queue
  /** The vendor's credentials JSON (`{"apiSecret":"…"}` for GA4); created empty, ops put the real value. */
  public readonly secret: Secret
  public readonly deliverer: TagwardenFunction

  constructor(scope: Construct, id: string, props: VendorDeliveryProps) {
    super(scope, id)
    const timeout = delivererTimeout(props.requestTimeoutMs)
    const batchingWindow = Duration.seconds(props.profile.batchingWindowSeconds)

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention,
    })
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: Duration.seconds(
        visibilityTimeoutSeconds(timeout.toSeconds(), batchingWindow.toSeconds()),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    })

    // Empty, not random: a deliverer refuses an empty secret at init, so a vendor enabled before ops put
    // the real value fails loudly (errors, DLQ alarm) instead of sending with a made-up credential.
    this.secret = new Secret(this, 'Credentials', {
      description: `tagwarden ${props.profile.label} API credentials, JSON ${secretShape(props.profile.credentialsTemplate)}; set with put-secret-value`,
      secretObjectValue: Object.fromEntries(
        Object.keys(props.profile.credentialsTemplate).map((key) => [key, SecretValue.unsafePlainText('')]),
      ),
    })
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Vendor API credentials are issued by the vendor (e.g. a GA4 Measurement Protocol API secret, a Meta access token) and can only be rotated in the vendor console; ops put the new value with put-secret-value.',
    })

    this.deliverer = new TagwardenFunction(this, 'Deliverer', {
      entry: 'deliver',
      description: `tagwarden ${props.vendor} deliverer`,
      runtimeConfig: props.runtimeConfig,
      logRetention: props.logRetention,
      timeout,
    })
      .setEnvironment(ENV.vendor, props.vendor)
      // Told the redrive policy's count, so an erase request failing on its last receive is failed, not left pending.
      .setEnvironment(ENV.maxReceiveCount, String(props.maxReceiveCount))
      .bindTable(ENV.consentTable, props.consentTable, 'read')
      .bindTable(ENV.configTable, props.configTable, 'read')
      // Its last batch's outcome, for the admin's status view; no vendor setting can be written.
      .bindPartitionWriter(props.configTable, VENDOR_STATUS_PARTITION)
      // What each visitor's export lists, and each vendor's part of an erasure (issue 10).
      .bindLedgerWriter(props.consentTable)
      .bindErasureStatusWriter(props.consentTable)
      .bindQueueSender(ENV.deadLetterQueueUrl, this.deadLetterQueue)
      .bindQueueRedelivery(ENV.queueUrl, this.queue)
      .bindSecretReader(ENV.vendorSecretArn, this.secret)
    if (props.pseudonymKey) this.deliverer.bindSecretReader(ENV.pseudonymSecretArn, props.pseudonymKey)

    this.deliverer.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.profile.batchSize,
        maxBatchingWindow: batchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    )
  }
}

/** The secret's JSON shape for people: `{"apiSecret":"..."}`. */
export function secretShape(template: Readonly<Record<string, ''>>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(template).map((key) => [key, '...'])))
}
