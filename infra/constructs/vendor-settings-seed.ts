import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  type AwsSdkCall,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources'
import { Construct } from 'constructs'

/** Mirrors VENDOR_SETTINGS_PARTITION in shared/adapters/dynamodb-vendor-settings.ts (infra imports no adapters). */
export const VENDOR_SETTINGS_PARTITION = 'vendor-settings'

/** The one Lambda function every AwsCustomResource of a stack runs on (CDK's fixed singleton id). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287'

type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }

/** JSON as DynamoDB's low-level API takes it, which is what the custom resource's SDK call sends. */
export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null) return { NULL: true }
  if (typeof value === 'string') return { S: value }
  if (typeof value === 'boolean') return { BOOL: value }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Vendor settings hold a non-finite number: ${value}`)
    return { N: String(value) }
  }
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) }
  if (typeof value === 'object') {
    const fields = Object.entries(value).filter(([, field]) => field !== undefined)
    return { M: Object.fromEntries(fields.map(([name, field]) => [name, toAttributeValue(field)])) }
  }
  throw new TypeError(`Vendor settings hold a value JSON cannot: ${typeof value}`)
}

export interface VendorSettingsSeedProps {
  /** The config table (layout in shared/adapters/dynamodb-tables.ts). */
  readonly table: ITableV2
  /** Each vendor's settings from the deployment configuration, by vendor id. */
  readonly settingsById: Readonly<Record<string, unknown>>
  /**
   * Retention of the log group of CDK's AwsCustomResource provider (one function per stack, so the
   * first AwsCustomResource created in the stack decides where it logs).
   */
  readonly logRetention: RetentionDays
}

/**
 * Writes each vendor's settings from the deployment configuration into the config table at deploy,
 * only where the vendor has no item yet: a redeploy, or a changed configuration file, never
 * overwrites what an admin has switched since. Nothing is deleted when a vendor leaves the
 * configuration or the stack is removed; the table is retained and the admin owns its items.
 * Seeded items carry no `updatedAt`: a CloudFormation call has no clock to stamp them with.
 */
export class VendorSettingsSeed extends Construct {
  /** One custom resource per vendor id. */
  public readonly seeds: ReadonlyMap<string, AwsCustomResource>

  constructor(scope: Construct, id: string, props: VendorSettingsSeedProps) {
    super(scope, id)
    const seeds = new Map<string, AwsCustomResource>()
    this.seeds = seeds
    const entries = Object.entries(props.settingsById)
    if (entries.length === 0) return
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    for (const [vendorId, settings] of entries) {
      const putIfAbsent: AwsSdkCall = {
        service: 'DynamoDB',
        action: 'PutItem',
        parameters: {
          TableName: props.table.tableName,
          Item: {
            pk: { S: VENDOR_SETTINGS_PARTITION },
            sk: { S: vendorId },
            settings: toAttributeValue(settings),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
        physicalResourceId: PhysicalResourceId.of(`${VENDOR_SETTINGS_PARTITION}#${vendorId}`),
        // The vendor already has an item: an admin's (or an earlier deploy's) settings, kept.
        ignoreErrorCodesMatching: 'ConditionalCheckFailedException',
      }
      seeds.set(
        vendorId,
        new AwsCustomResource(this, vendorId, {
          onCreate: putIfAbsent,
          onUpdate: putIfAbsent,
          installLatestAwsSdk: false,
          logGroup,
          policy: AwsCustomResourcePolicy.fromStatements([
            new PolicyStatement({
              actions: ['dynamodb:PutItem'],
              resources: [props.table.tableArn],
              conditions: {
                'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [VENDOR_SETTINGS_PARTITION] },
              },
            }),
          ]),
        }),
      )
    }
    acknowledgeProviderFindings(this)
  }
}

/**
 * The provider function is CDK's, one per stack for every AwsCustomResource; its role comes with
 * the AWS managed logging policy, which this construct cannot replace without taking over that role.
 */
function acknowledgeProviderFindings(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID)
  const role = provider?.node.tryFindChild('ServiceRole')
  if (!role) throw new Error('AwsCustomResource created no provider role where CDK puts it')
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "The role of CDK's AwsCustomResource provider (one per stack) carries AWSLambdaBasicExecutionRole, which only writes the provider's own logs; its table access is the PutItem on the vendor-settings partition that each seed adds.",
  })
}
