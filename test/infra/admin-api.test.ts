import { Match } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ADMIN_ROUTES } from '#shared/admin/api.ts'
import type { TagwardenFunction } from '../../infra/constructs/tagwarden-function.ts'
import { exampleConfig, getAtt, logicalId, ref, resourceOf, synthesize } from './synth.ts'

const { stack, template } = synthesize(exampleConfig())
const ga4 = stack.deliveries.get('ga4')
if (!ga4) throw new Error('the example configuration deploys no ga4 delivery')

const ADMIN_ROUTE_KEYS = ADMIN_ROUTES.map((route) => `${route.method} ${route.path}`)

const routeSchema = z.object({
  Properties: z.object({
    ApiId: z.object({ Ref: z.string() }),
    RouteKey: z.string(),
    AuthorizationType: z.string().optional(),
  }),
})

function routesOf(apiLogicalId: string) {
  return Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
    .map((raw) => routeSchema.parse(raw).Properties)
    .filter((route) => route.ApiId.Ref === apiLogicalId)
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

function statementsOf(fn: TagwardenFunction) {
  return Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(fn.role)] } }),
  ).flatMap((policy) => policySchema.parse(policy).Properties.PolicyDocument.Statement)
}

function actionsOn(fn: TagwardenFunction, resource: unknown): string[] {
  return statementsOf(fn)
    .filter((statement) =>
      [statement.Resource].flat().some((each) => JSON.stringify(each) === JSON.stringify(resource)),
    )
    .flatMap((statement) => [statement.Action].flat())
    .sort()
}

const environmentSchema = z.object({
  Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }),
})

describe('the admin API', () => {
  const adminApi = logicalId(stack.adminApi.api)
  const ingestApi = logicalId(stack.ingest.api)

  it('is its own HTTP API, not the public ingest API', () => {
    expect(adminApi).not.toBe(ingestApi)
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 2)
    expect(resourceOf(template, stack.adminApi.api)).toMatchObject({
      Properties: { ProtocolType: 'HTTP' },
    })
  })

  it('serves exactly the routes of the admin contract', () => {
    expect(
      routesOf(adminApi)
        .map((route) => route.RouteKey)
        .sort(),
    ).toEqual([...ADMIN_ROUTE_KEYS].sort())
  })

  it('authorises every route with IAM (an unsigned call is refused by API Gateway)', () => {
    const routes = routesOf(adminApi)
    expect(routes).toHaveLength(ADMIN_ROUTES.length)
    for (const route of routes) expect(route.AuthorizationType).toBe('AWS_IAM')
  })

  it('is not reachable through the ingest API', () => {
    const ingestRoutes = routesOf(ingestApi).map((route) => route.RouteKey)
    expect(ingestRoutes).not.toEqual([])
    for (const key of ADMIN_ROUTE_KEYS) expect(ingestRoutes).not.toContain(key)
    expect(ingestRoutes.filter((key) => key.includes('/admin'))).toEqual([])
  })

  it('hands every route to the admin function with payload format 2.0', () => {
    template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Integration',
      {
        ApiId: ref(stack.adminApi.api),
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: getAtt(stack.admin.function, 'Arn'),
        PayloadFormatVersion: '2.0',
      },
      1,
    )
  })

  it('answers no CORS preflight (no browser origin calls it)', () => {
    expect(resourceOf(template, stack.adminApi.api)).not.toMatchObject({
      Properties: { CorsConfiguration: expect.anything() },
    })
  })

  it('throttles its stage and writes access logs naming the caller', () => {
    expect(resourceOf(template, stack.adminApi.stage)).toMatchObject({
      Properties: {
        ApiId: ref(stack.adminApi.api),
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        AccessLogSettings: {
          DestinationArn: getAtt(stack.adminApi.accessLogs, 'Arn'),
          Format: expect.stringContaining('"caller":"$context.identity.userArn"'),
        },
      },
    })
    expect(resourceOf(template, stack.adminApi.accessLogs)).toMatchObject({
      Properties: { RetentionInDays: 30 },
    })
  })

  it('outputs its URL and the ARN of the policy an admin needs', () => {
    template.hasOutput('AdminApiUrl', {
      Value: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([ref(stack.adminApi.api)])]) }),
    })
    template.hasOutput('AdminPolicyArn', { Value: ref(stack.adminApi.invokePolicy) })
  })
})

describe('the admin policy', () => {
  it('grants only execute-api:Invoke on the admin routes of the admin API’s stage', () => {
    expect(resourceOf(template, stack.adminApi.invokePolicy)).toMatchObject({
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: 'TagwardenAdmin-example-eu-central-1',
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'execute-api:Invoke',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:aws:execute-api:eu-central-1:',
                    { Ref: 'AWS::AccountId' },
                    ':',
                    ref(stack.adminApi.api),
                    '/$default/*/admin/*',
                  ],
                ],
              },
            },
          ],
        },
      },
    })
    const statements = z
      .object({ Properties: z.object({ PolicyDocument: z.object({ Statement: z.array(z.unknown()) }) }) })
      .parse(resourceOf(template, stack.adminApi.invokePolicy)).Properties.PolicyDocument.Statement
    expect(statements).toHaveLength(1)
  })

  it('covers every admin route (all under /admin/)', () => {
    for (const route of ADMIN_ROUTES) expect(route.path).toMatch(/^\/admin\//)
  })

  it('is attached to no role by the stack (ops attach it to their admins)', () => {
    expect(resourceOf(template, stack.adminApi.invokePolicy)).not.toMatchObject({
      Properties: { Roles: expect.anything() },
    })
  })
})

describe('the admin function', () => {
  const config = stack.tables.config

  it('reads and puts config table items (settings, audit entries, policy versions in one transaction), and cannot update or delete one', () => {
    expect(actionsOn(stack.admin, getAtt(config, 'Arn'))).toEqual(
      ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'].sort(),
    )
  })

  it('runs visitor rights requests on the consent table (export, restrict, erase) and touches no other table', () => {
    expect(actionsOn(stack.admin, getAtt(stack.tables.consent, 'Arn'))).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    )
    expect(JSON.stringify(statementsOf(stack.admin))).not.toContain(logicalId(stack.tables.idempotency))
  })

  it.each([...stack.deliveries])('sees the %s queue and moves its dead letters back', (_vendor, delivery) => {
    expect(actionsOn(stack.admin, getAtt(delivery.queue, 'Arn'))).toEqual(
      ['sqs:GetQueueAttributes', 'sqs:SendMessage'].sort(),
    )
    expect(actionsOn(stack.admin, getAtt(delivery.deadLetterQueue, 'Arn'))).toEqual(
      [
        'sqs:CancelMessageMoveTask',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ListMessageMoveTasks',
        'sqs:ReceiveMessage',
        'sqs:StartMessageMoveTask',
      ].sort(),
    )
  })

  it('reads metrics with GetMetricData, the one statement on resource "*"', () => {
    const everywhere = statementsOf(stack.admin).filter((statement) => statement.Resource === '*')
    expect(everywhere).toEqual([{ Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' }])
  })

  it('is granted no wildcard action and cannot update or delete a config item (the audit trail)', () => {
    const actions = statementsOf(stack.admin).flatMap((statement) => [statement.Action].flat())
    expect(actions.filter((action) => action.includes('*'))).toEqual([])
    expect(
      actionsOn(stack.admin, getAtt(config, 'Arn')).filter((action) =>
        /^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem)$/.test(action),
      ),
    ).toEqual([])
  })

  it('knows the config table and each vendor’s queue and dead-letter queue', () => {
    const variables = environmentSchema.parse(resourceOf(template, stack.admin.function)).Properties
      .Environment.Variables
    expect(variables).toMatchObject({
      CONFIG_TABLE_NAME: ref(config),
      CONSENT_TABLE_NAME: ref(stack.tables.consent),
      PSEUDONYM_SECRET_ARN: ref(stack.pseudonymKey),
    })
    for (const [vendor, delivery] of stack.deliveries) {
      const name = vendor.toUpperCase()
      expect(variables).toMatchObject({
        [`QUEUE_URL_${name}`]: ref(delivery.queue),
        [`QUEUE_ARN_${name}`]: getAtt(delivery.queue, 'Arn'),
        [`DLQ_URL_${name}`]: ref(delivery.deadLetterQueue),
        [`DLQ_ARN_${name}`]: getAtt(delivery.deadLetterQueue, 'Arn'),
      })
    }
  })

  it.each(['Errors', 'Throttles'])('raises an alarm on %s', (metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.admin.function) }],
      AlarmActions: [ref(stack.alarms.topic)],
    })
  })
})

describe('each deliverer', () => {
  it.each([...stack.deliveries])(
    '%s may put config items in the vendor-status partition only',
    (_vendor, delivery) => {
      const writes = statementsOf(delivery.deliverer).filter(
        (statement) =>
          JSON.stringify(statement.Resource) === JSON.stringify(getAtt(stack.tables.config, 'Arn')) &&
          [statement.Action].flat().some((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action)),
      )
      expect(writes).toEqual([
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: getAtt(stack.tables.config, 'Arn'),
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['vendor-status'] } },
        },
      ])
    },
  )

  it('knows the config table', () => {
    expect(
      environmentSchema.parse(resourceOf(template, ga4.deliverer.function)).Properties.Environment.Variables,
    ).toMatchObject({ CONFIG_TABLE_NAME: ref(stack.tables.config) })
  })
})
