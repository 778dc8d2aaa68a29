import { join } from 'node:path'
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda'
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager'
import type { IQueue } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { LEDGER_ITEM_ATTRIBUTES } from '#shared/adapters/dynamodb-delivery-ledger.ts'
import { SESSION_ITEM_ATTRIBUTES } from '#shared/adapters/dynamodb-session-store.ts'
import { TRAIT_ITEM_ATTRIBUTES } from '#shared/adapters/dynamodb-trait-store.ts'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { ENV } from '#shared/config/environment.ts'
import {
  ESM_REQUIRE_BANNER,
  EXTERNAL_MODULES,
  FUNCTION_ENTRIES,
  type FunctionName,
  functionDefines,
  MAIN_FIELDS,
  NODE_OPTIONS,
  NODE_TARGET,
  REPO_ROOT,
} from '../bundling.ts'

/** The newest Lambda Node.js runtime; the code needs nothing newer than Node 20. Keep NODE_TARGET in step. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X

/** `readPut`: reads and whole-item puts, no update or delete (the admin: settings and audit entries). */
export type TableAccess = 'read' | 'readPut' | 'readWrite'

/** Item-level actions on the table itself; the tables have no indexes, so no `/index/*` grant. */
const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  // TransactWriteItems has no IAM action of its own: each item in it needs its PutItem or ConditionCheckItem.
  readPut: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
}

export interface TagwardenFunctionProps {
  /** Which entry to deploy: functions/<entry>.ts. */
  readonly entry: FunctionName
  readonly description: string
  /** Passed to the function as TAGWARDEN_CONFIG_JSON. */
  readonly runtimeConfig: DeploymentConfig
  readonly logRetention: RetentionDays
  /** @default 10 seconds */
  readonly timeout?: Duration
  /** @default 256 MB (CPU share grows with it; arm64 keeps the price down) */
  readonly memorySize?: number
  /** Concurrency reserved for this function, which is also its ceiling. @default none (unreserved pool) */
  readonly reservedConcurrency?: number
}

/**
 * A Lambda function with the project's defaults fixed once: bundled locally by esbuild as minified
 * ESM with source maps, arm64, newest Node runtime, JSON logs into its own log group with a set
 * retention, and a role that holds nothing but what the bind methods add. Each bind method grants
 * access and sets the environment variable together, so permissions and configuration cannot drift.
 */
export class TagwardenFunction extends Construct {
  public readonly function: NodejsFunction
  public readonly role: Role
  public readonly logGroup: LogGroup

  constructor(scope: Construct, id: string, props: TagwardenFunctionProps) {
    super(scope, id)

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    })
    this.logGroup.grantWrite(this.role)

    this.function = new NodejsFunction(this, 'Function', {
      entry: FUNCTION_ENTRIES[props.entry],
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: { NODE_OPTIONS, [ENV.config]: JSON.stringify(props.runtimeConfig) },
      bundling: {
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        format: OutputFormat.ESM,
        target: NODE_TARGET,
        mainFields: MAIN_FIELDS,
        banner: ESM_REQUIRE_BANNER,
        externalModules: EXTERNAL_MODULES,
        define: functionDefines(props.entry),
        minify: true,
        sourceMap: true,
        sourcesContent: false,
      },
    })
  }

  /** Sets a plain environment variable (for values that need no permission, such as `VENDOR`). */
  setEnvironment(variable: string, value: string): this {
    this.function.addEnvironment(variable, value)
    return this
  }

  bindTable(variable: string, table: ITableV2, access: TableAccess): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: TABLE_ACTIONS[access], resources: [table.tableArn] }),
    )
    this.function.addEnvironment(variable, table.tableName)
    return this
  }

  /**
   * PutItem on the consent table restricted to the attributes of a hashed-trait item: the collector
   * keeps identify traits with the consent record but cannot write a consent decision (no `purposes`).
   */
  bindTraitWriter(table: ITableV2): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...TRAIT_ITEM_ATTRIBUTES] } },
      }),
    )
    return this
  }

  /**
   * PutItem on the consent table restricted to the attributes of a session item (issue 11): the
   * collector keeps the session of a visitor without the session cookie next to their consent, and
   * cannot write a consent decision (no `purposes`). Its reads come with its `read` table grant.
   */
  bindSessionWriter(table: ITableV2): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...SESSION_ITEM_ATTRIBUTES] } },
      }),
    )
    return this
  }

  /**
   * The delivery ledger (visitors' export): PutItem and BatchWriteItem on the consent table with ledger
   * items' attributes only. IAM has no condition on a sort-key prefix; the attribute set keeps a
   * deliverer from writing a consent decision's fields.
   */
  bindLedgerWriter(table: ITableV2): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...LEDGER_ITEM_ATTRIBUTES] } },
      }),
    )
    return this
  }

  /** UpdateItem on erasure status items only (partition `erasure#<id>`): each vendor's part of an erasure. */
  bindErasureStatusWriter(table: ITableV2): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['erasure#*'] } },
      }),
    )
    return this
  }

  /**
   * PutItem on the table restricted to one partition (`dynamodb:LeadingKeys`): a deliverer records its
   * last batch in the config table's `vendor-status` partition but cannot write a vendor setting.
   */
  bindPartitionWriter(table: ITableV2, partition: string): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [partition] } },
      }),
    )
    return this
  }

  /**
   * What the admin needs of one vendor's queues: their figures (GetQueueAttributes on both) and a
   * redrive, which SQS runs as a message move task with the caller's permissions: receive and delete
   * on the dead-letter queue, send on the queue. Both queues are SQS-managed encrypted (SSE-SQS), so
   * no KMS grant is needed.
   */
  bindQueueAdmin(
    variables: { queueUrl: string; queueArn: string; deadLetterQueueUrl: string; deadLetterQueueArn: string },
    queue: IQueue,
    deadLetterQueue: IQueue,
  ): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    )
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'sqs:GetQueueAttributes',
          'sqs:StartMessageMoveTask',
          'sqs:ListMessageMoveTasks',
          'sqs:CancelMessageMoveTask',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
        ],
        resources: [deadLetterQueue.queueArn],
      }),
    )
    this.function.addEnvironment(variables.queueUrl, queue.queueUrl)
    this.function.addEnvironment(variables.queueArn, queue.queueArn)
    this.function.addEnvironment(variables.deadLetterQueueUrl, deadLetterQueue.queueUrl)
    this.function.addEnvironment(variables.deadLetterQueueArn, deadLetterQueue.queueArn)
    return this
  }

  /**
   * cloudwatch:GetMetricData (the queues' and functions' figures for the admin's status view). The
   * action has no resource-level permissions, so its statement sits alone in its own policy, whose
   * wildcard resource is acknowledged there and nowhere else.
   */
  bindMetricsReader(): this {
    const policy = new Policy(this, 'MetricsReader', {
      statements: [new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] })],
    })
    this.role.attachInlinePolicy(policy)
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData supports no resource-level permissions or condition keys, so IAM accepts only "*"; the policy holds this one read-only action and nothing else.',
    })
    return this
  }

  /** Send only: the function can put messages on the queue but not read or delete them. */
  bindQueueSender(variable: string, queue: IQueue): this {
    queue.grantSendMessages(this.role)
    this.function.addEnvironment(variable, queue.queueUrl)
    return this
  }

  /**
   * ChangeMessageVisibility on the queue this function consumes: the deliverer sets each failed
   * record's next receive from the vendor's Retry-After and its backoff. The SQS event source grants
   * it too (CDK merges the statements); granted here as well, so the deliverer does not depend on how
   * the event source is wired.
   */
  bindQueueRedelivery(variable: string, queue: IQueue): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:ChangeMessageVisibility'], resources: [queue.queueArn] }),
    )
    this.function.addEnvironment(variable, queue.queueUrl)
    return this
  }

  bindSecretReader(variable: string, secret: ISecret): this {
    secret.grantRead(this.role)
    this.function.addEnvironment(variable, secret.secretArn)
    return this
  }
}
