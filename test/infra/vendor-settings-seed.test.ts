import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb'
import { App, Stack, Validations } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { RetentionDays } from 'aws-cdk-lib/aws-logs'
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources'
import { AwsSolutionsChecks } from 'cdk-nag'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import {
  VENDOR_SETTINGS_PARTITION as ADAPTER_PARTITION,
  dynamoVendorSettingsSource,
  putVendorSettings,
} from '#shared/adapters/dynamodb-vendor-settings.ts'
import { Tables } from '../../infra/constructs/tables.ts'
import {
  toAttributeValue,
  VENDOR_SETTINGS_PARTITION,
  VendorSettingsSeed,
} from '../../infra/constructs/vendor-settings-seed.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { logicalId, ref } from './synth.ts'

const SETTINGS_BY_ID = {
  ga4: {
    enabled: true,
    legalBasis: 'consent',
    measurementId: 'G-TEST123',
    options: { forwardPageTitle: false },
  },
  meta: {
    enabled: false,
    legalBasis: 'consent',
    pixelId: '1234567890',
    testEventCode: null,
    weights: [1, 2.5],
  },
}
const TABLE_NAME_PLACEHOLDER = '<config table>'

function synthesizeSeed(settingsById: Record<string, unknown> = SETTINGS_BY_ID) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'tagwarden-cdk-')),
    context: { '@aws-cdk/customresources:installLatestAwsSdkDefault': false },
  })
  const stack = new Stack(app, 'SeedTest')
  const tables = new Tables(stack, 'Tables')
  const seed = new VendorSettingsSeed(stack, 'VendorSettings', {
    table: tables.config,
    settingsById,
    logRetention: RetentionDays.ONE_MONTH,
  })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, stack, tables, seed, template: Template.fromStack(stack) }
}

const { app, tables, seed, template } = synthesizeSeed()
const tableRef = JSON.stringify(ref(tables.config))

const customResourceSchema = z.object({
  Properties: z.object({
    Create: z.object({ 'Fn::Join': z.tuple([z.literal(''), z.array(z.unknown())]) }),
    Update: z.object({ 'Fn::Join': z.tuple([z.literal(''), z.array(z.unknown())]) }),
  }),
})
const sdkCallSchema = z.object({
  service: z.string(),
  action: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  physicalResourceId: z.object({ id: z.string() }),
  ignoreErrorCodesMatching: z.string(),
})

/** The SDK call a seed's custom resource makes on create or update, with the table's Ref as a placeholder. */
function sdkCall(vendorId: string, event: 'Create' | 'Update') {
  const resource = seed.seeds.get(vendorId)
  if (!resource) throw new Error(`no seed for ${vendorId}`)
  const resources: Record<string, unknown> = template.toJSON().Resources
  const [, parts] = customResourceSchema.parse(resources[logicalId(resource.node.findChild('Resource'))])
    .Properties[event]['Fn::Join']
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part
      if (JSON.stringify(part) === tableRef) return TABLE_NAME_PLACEHOLDER
      throw new Error(`unexpected token in the SDK call: ${JSON.stringify(part)}`)
    })
    .join('')
  return sdkCallSchema.parse(JSON.parse(text))
}

const statementSchema = z.object({
  Effect: z.string(),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
  Condition: z.unknown().optional(),
})
const policySchema = z.object({
  Properties: z.object({ PolicyDocument: z.object({ Statement: z.array(statementSchema) }) }),
})

const acknowledgementSchema = z.record(z.string(), z.string())

describe('VendorSettingsSeed', () => {
  it.each(['ga4', 'meta'])(
    'puts the %s settings from the configuration on create and on update alike',
    (vendorId) => {
      expect(sdkCall(vendorId, 'Update')).toEqual(sdkCall(vendorId, 'Create'))
      expect(sdkCall(vendorId, 'Create')).toMatchObject({
        service: 'DynamoDB',
        action: 'PutItem',
        parameters: {
          TableName: TABLE_NAME_PLACEHOLDER,
          Item: { pk: { S: 'vendor-settings' }, sk: { S: vendorId } },
        },
      })
    },
  )

  it("writes only where the vendor has no item, and takes an existing item as success, so an admin's change stays", () => {
    for (const vendorId of ['ga4', 'meta']) {
      expect(sdkCall(vendorId, 'Create')).toMatchObject({
        parameters: { ConditionExpression: 'attribute_not_exists(pk)' },
        ignoreErrorCodesMatching: 'ConditionalCheckFailedException',
      })
    }
  })

  it('gives each vendor its own physical id, so one vendor never replaces another', () => {
    expect(sdkCall('ga4', 'Create').physicalResourceId.id).toBe('vendor-settings#ga4')
    expect(sdkCall('meta', 'Create').physicalResourceId.id).toBe('vendor-settings#meta')
  })

  it('uses the partition the runtime adapter reads', () => {
    expect(VENDOR_SETTINGS_PARTITION).toBe(ADAPTER_PARTITION)
  })

  it('deletes nothing when a vendor leaves the configuration or the stack is removed', () => {
    for (const vendorId of ['ga4', 'meta']) {
      const resource = seed.seeds.get(vendorId)
      if (!resource) throw new Error(`no seed for ${vendorId}`)
      const resources: Record<string, unknown> = template.toJSON().Resources
      expect(resources[logicalId(resource.node.findChild('Resource'))]).not.toHaveProperty(
        'Properties.Delete',
      )
    }
  })

  it('creates no custom resource and no provider without vendors', () => {
    const empty = synthesizeSeed({})

    empty.template.resourceCountIs('Custom::AWS', 0)
    empty.template.resourceCountIs('AWS::Lambda::Function', 0)
    empty.template.resourceCountIs('AWS::Logs::LogGroup', 0)
  })

  it('allows the provider nothing but PutItem on the config table, within the vendor-settings partition', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policySchema.parse(policy).Properties.PolicyDocument.Statement,
    )

    expect(statements).toHaveLength(2)
    for (const statement of statements) {
      expect(statement).toEqual({
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [logicalId(tables.config), 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['vendor-settings'] } },
      })
    }
  })

  it('keeps the provider logs for the configured retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 })
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalId(seed.node.findChild('Logs')) } },
    })
  })

  it('leaves cdk-nag nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(app)

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([])
  })

  it("acknowledges only the managed logging policy of CDK's provider role, with a written reason", () => {
    const acknowledged = app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(acknowledgementSchema.parse(entry.data)).map(([id, reason]) => ({
            rule: id.replace(/^annotation::/i, ''),
            path: construct.node.path,
            reason,
          })),
        ),
    )

    expect(acknowledged.map(({ rule, path }) => `${rule} @ ${path}`)).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ SeedTest/AWS679f53fac002430cb0da5b7982bd2287/ServiceRole',
    ])
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(80)
  })

  it('synthesises with the AWS Solutions checks registered, as the app runs them', () => {
    expect(() => app.synth()).not.toThrow()
  })

  it("would be reported for the provider's managed policy without the acknowledgement", () => {
    const bare = new App({ outdir: mkdtempSync(join(tmpdir(), 'tagwarden-cdk-')) })
    const stack = new Stack(bare, 'Bare')
    const table = new Tables(stack, 'Tables').config
    new AwsCustomResource(stack, 'UnacknowledgedCall', {
      onCreate: {
        service: 'DynamoDB',
        action: 'DescribeTable',
        parameters: { TableName: table.tableName },
        physicalResourceId: PhysicalResourceId.of('x'),
      },
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([]),
    })

    const report = new AwsSolutionsChecks().validateScope(bare)

    expect(report.violations.map((violation) => violation.ruleName)).toContain(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    )
  })
})

describe('the seed call against a DynamoDB-compatible server', () => {
  let dynamo: EmbeddedDynamo
  let lowLevel: DynamoDBClient
  let client: ReturnType<typeof documentClient>
  let tableCounter = 0
  const TABLES = Array.from({ length: 4 }, (_, index) => `seed-call-test-${index}`)
  const freshTable = () => {
    const name = TABLES[tableCounter++]
    if (!name) throw new Error('raise the number of tables')
    return name
  }

  /** What the custom resource's provider sends: the synthesised call with the real table name. */
  function seedCall(vendorId: string, tableName: string): PutItemCommandInput {
    const { parameters } = sdkCall(vendorId, 'Create')
    const input = z
      .object({ Item: z.record(z.string(), z.any()), ConditionExpression: z.string() })
      .parse(parameters)
    return { TableName: tableName, Item: input.Item, ConditionExpression: input.ConditionExpression }
  }

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo(TABLES)
    lowLevel = new DynamoDBClient(dynamo.clientConfig)
    client = documentClient(dynamo.clientConfig)
  })

  afterAll(async () => {
    lowLevel.destroy()
    client.destroy()
    await dynamo.close()
  })

  it('writes items the runtime adapter reads back as the configured settings', async () => {
    const table = freshTable()

    for (const vendorId of ['ga4', 'meta']) await lowLevel.send(new PutItemCommand(seedCall(vendorId, table)))

    expect(await dynamoVendorSettingsSource(client, table).readAll()).toEqual(SETTINGS_BY_ID)
  })

  it("fails with the ignored error code, leaving the admin's item, when the vendor already has one", async () => {
    const table = freshTable()
    await putVendorSettings(client, table, 'ga4', { enabled: false })

    const second = lowLevel.send(new PutItemCommand(seedCall('ga4', table)))

    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException)
    await expect(second).rejects.toMatchObject({ name: sdkCall('ga4', 'Create').ignoreErrorCodesMatching })
    expect(await dynamoVendorSettingsSource(client, table).readAll()).toEqual({ ga4: { enabled: false } })
  })

  it('stores any JSON settings so that the adapter reads back the same value', async () => {
    const table = freshTable()
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((n) => Math.round(n * 1000) / 1000 || 0),
        fc.string(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,9}$/), tie('value'), { maxKeys: 4 }),
      ),
    })).value
    await fc.assert(
      fc.asyncProperty(json, async (settings) => {
        await lowLevel.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              pk: { S: VENDOR_SETTINGS_PARTITION },
              sk: { S: 'vendor' },
              settings: toAttributeValue(settings),
            },
          }),
        )

        expect(await dynamoVendorSettingsSource(client, table).readAll()).toEqual({ vendor: settings })
      }),
      { numRuns: 50 },
    )
  })
})
