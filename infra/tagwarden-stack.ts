import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import type { Construct } from 'constructs'
import {
  deadLetterQueueArnVariable,
  deadLetterQueueUrlVariable,
  ENV,
  queueArnVariable,
  queueUrlVariable,
} from '#shared/config/environment.ts'
import { DEFAULT_DELIVERER_CONCURRENCY, type InfraConfig } from './config.ts'
import { AdminApi } from './constructs/admin-api.ts'
import { Alarms } from './constructs/alarms.ts'
import { IngestApi } from './constructs/ingest-api.ts'
import { Tables } from './constructs/tables.ts'
import { TagwardenFunction } from './constructs/tagwarden-function.ts'
import { secretShape, VendorDelivery } from './constructs/vendor-delivery.ts'
import { VendorSettingsSeed } from './constructs/vendor-settings-seed.ts'
import { toRetentionDays } from './retention.ts'
import { DELIVERED_VENDORS, type DeliveredVendor, vendorDeliveryProfile } from './vendors.ts'

/** 64 characters, as the pseudonym HMAC key. */
const PSEUDONYM_KEY_LENGTH = 64

export interface TagwardenStackProps extends StackProps {
  readonly config: InfraConfig
}

/** The whole deployment, top to bottom as in docs/architecture.md: tables, queues, functions, APIs, alarms. */
export class TagwardenStack extends Stack {
  public readonly tables: Tables
  public readonly vendorSettingsSeed: VendorSettingsSeed
  /** HMAC key for consent keys and vendor pseudonyms; readable by collect and consent only. */
  public readonly pseudonymKey: Secret
  public readonly deliveries: ReadonlyMap<DeliveredVendor, VendorDelivery>
  public readonly collect: TagwardenFunction
  public readonly consent: TagwardenFunction
  public readonly ingest: IngestApi
  /** Vendor switches, settings, redrive, policy versions and the audit trail, behind the admin API. */
  public readonly admin: TagwardenFunction
  public readonly adminApi: AdminApi
  public readonly alarms: Alarms

  constructor(scope: Construct, id: string, props: TagwardenStackProps) {
    super(scope, id, props)
    const { config } = props
    // The functions get the deployment config only; vendor settings are read from the config table.
    const { vendors: _seed, ...deployment } = config.runtime
    const runtimeConfig = { ...deployment, production: config.production }
    const logRetention = toRetentionDays(config.logRetentionDays)

    this.tables = new Tables(this, 'Tables')
    // Vendor settings live in the config table (an admin's switch needs no deploy); the config file seeds them.
    this.vendorSettingsSeed = new VendorSettingsSeed(this, 'VendorSettingsSeed', {
      table: this.tables.config,
      settingsById: config.runtime.vendors,
      logRetention,
    })

    this.pseudonymKey = new Secret(this, 'PseudonymKey', {
      description: 'tagwarden HMAC key for consent keys and vendor pseudonyms',
      generateSecretString: { passwordLength: PSEUDONYM_KEY_LENGTH, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    })
    Validations.of(this.pseudonymKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the pseudonym key changes every consent key (a keyed hash of the visitor id), orphaning stored consent records, and every vendor pseudonym; it is a deliberate manual operation, not a schedule.',
    })

    this.deliveries = new Map(
      DELIVERED_VENDORS.map((vendor) => {
        const profile = vendorDeliveryProfile(vendor, config.runtime)
        const delivery = new VendorDelivery(this, `${pascalCase(vendor)}Delivery`, {
          vendor,
          profile,
          requestTimeoutMs: profile.requestTimeoutMs,
          maxConcurrency: config.delivery.vendors[vendor]?.maxConcurrency ?? DEFAULT_DELIVERER_CONCURRENCY,
          maxReceiveCount: config.delivery.maxReceiveCount,
          deadLetterRetention: Duration.days(config.delivery.deadLetterRetentionDays),
          runtimeConfig,
          consentTable: this.tables.consent,
          configTable: this.tables.config,
          logRetention,
        })
        return [vendor, delivery] as const
      }),
    )

    this.collect = new TagwardenFunction(this, 'Collect', {
      entry: 'collect',
      description: 'tagwarden collector',
      runtimeConfig,
      logRetention,
      // A flood of collect requests then waits for its own capacity instead of taking the consent API's.
      reservedConcurrency: config.collect.reservedConcurrency,
    })
      .bindTable(ENV.consentTable, this.tables.consent, 'read')
      .bindTraitWriter(this.tables.consent)
      .bindSessionWriter(this.tables.consent)
      .bindTable(ENV.configTable, this.tables.config, 'read')
      .bindTable(ENV.idempotencyTable, this.tables.idempotency, 'readWrite')
      .bindSecretReader(ENV.pseudonymSecretArn, this.pseudonymKey)
    for (const [vendor, delivery] of this.deliveries) {
      this.collect.bindQueueSender(queueUrlVariable(vendor), delivery.queue)
    }

    this.consent = new TagwardenFunction(this, 'Consent', {
      entry: 'consent',
      description: 'tagwarden consent records',
      runtimeConfig,
      logRetention,
    })
      .bindTable(ENV.consentTable, this.tables.consent, 'readWrite')
      // Published privacy-policy versions: consents are recorded under the one in force.
      .bindTable(ENV.configTable, this.tables.config, 'read')
      .bindSecretReader(ENV.pseudonymSecretArn, this.pseudonymKey)
    // A visitor's erasure puts one erase request on every vendor's queue.
    for (const [vendor, delivery] of this.deliveries) {
      this.consent.bindQueueSender(queueUrlVariable(vendor), delivery.queue)
    }

    this.ingest = new IngestApi(this, 'Ingest', {
      collect: this.collect.function,
      consent: this.consent.function,
      allowedOrigins: [...new Set(runtimeConfig.sites.flatMap((site) => site.allowedOrigins))],
      throttling: config.throttling,
      logRetention,
      customDomain: config.customDomain,
    })

    this.admin = new TagwardenFunction(this, 'Admin', {
      entry: 'admin',
      description: 'tagwarden admin API',
      runtimeConfig,
      logRetention,
    })
      .bindTable(ENV.configTable, this.tables.config, 'readPut')
      .bindMetricsReader()
      // An admin-run visitor rights request (issue 10): export, restrict and erase on the consent table,
      // the consent keys from the pseudonym key; erase requests go on the vendor queues, whose URLs and
      // SendMessage bindQueueAdmin below already gives.
      .bindTable(ENV.consentTable, this.tables.consent, 'readWrite')
      .bindSecretReader(ENV.pseudonymSecretArn, this.pseudonymKey)
    for (const [vendor, delivery] of this.deliveries) {
      this.admin.bindQueueAdmin(
        {
          queueUrl: queueUrlVariable(vendor),
          queueArn: queueArnVariable(vendor),
          deadLetterQueueUrl: deadLetterQueueUrlVariable(vendor),
          deadLetterQueueArn: deadLetterQueueArnVariable(vendor),
        },
        delivery.queue,
        delivery.deadLetterQueue,
      )
    }

    this.adminApi = new AdminApi(this, 'AdminApi', {
      admin: this.admin.function,
      logRetention,
      policyName: `TagwardenAdmin-${config.stage}-${this.region}`,
    })

    this.alarms = new Alarms(this, 'Alarms', { email: config.alarmEmail })
    this.alarms.onFunctionFailures('Collect', this.collect.function)
    this.alarms.onFunctionFailures('Consent', this.consent.function)
    this.alarms.onFunctionFailures('Admin', this.admin.function)
    for (const [vendor, delivery] of this.deliveries) {
      const id = pascalCase(vendor)
      this.alarms.onDeadLetters(id, delivery.deadLetterQueue)
      this.alarms.onVersionSunset(id, delivery.deliverer.logGroup)
      this.alarms.onOldestMessage(
        id,
        delivery.queue,
        Duration.minutes(config.delivery.oldestMessageAlarmMinutes),
      )
    }

    new CfnOutput(this, 'ApiUrl', { value: this.ingest.stage.url, description: 'execute-api URL' })
    new CfnOutput(this, 'EndpointUrl', {
      value: this.ingest.endpointUrl,
      description: 'Where sites send events (the custom domain when configured)',
    })
    if (this.ingest.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.ingest.domainName.regionalDomainName,
        description: `CNAME ${this.ingest.domainName.name} to this name`,
      })
    }
    new CfnOutput(this, 'AdminApiUrl', {
      value: this.adminApi.stage.url,
      description: 'The admin API (IAM-authorised; the CLI signs its requests with SigV4)',
    })
    new CfnOutput(this, 'AdminPolicyArn', {
      value: this.adminApi.invokePolicy.managedPolicyArn,
      description: "Attach to an admin's IAM role or user to let it call the admin API",
    })
    new CfnOutput(this, 'ConsentTableName', { value: this.tables.consent.tableName })
    new CfnOutput(this, 'ConfigTableName', { value: this.tables.config.tableName })
    for (const [vendor, delivery] of this.deliveries) {
      const id = pascalCase(vendor)
      new CfnOutput(this, `${id}QueueUrl`, { value: delivery.queue.queueUrl })
      new CfnOutput(this, `${id}DeadLetterQueueUrl`, { value: delivery.deadLetterQueue.queueUrl })
      new CfnOutput(this, `${id}SecretArn`, {
        value: delivery.secret.secretArn,
        description: `Put ${secretShape(vendorDeliveryProfile(vendor, config.runtime).credentialsTemplate)} here for ${vendor}`,
      })
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn })
  }
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}
