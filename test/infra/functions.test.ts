import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { LEDGER_ITEM_ATTRIBUTES } from '#shared/adapters/dynamodb-delivery-ledger.ts'
import { deploymentConfigSchema } from '#shared/config/deployment-schema.ts'
import type { TagwardenFunction } from '../../infra/constructs/tagwarden-function.ts'
import { exampleConfig, getAtt, ref, resourceOf, rolesWithPolicyMentioning, synthesize } from './synth.ts'

const config = exampleConfig()
const { stack, template } = synthesize(config)
const ga4 = stack.deliveries.get('ga4')
if (!ga4) throw new Error('the example configuration deploys no ga4 delivery')

const functions: ReadonlyArray<[string, TagwardenFunction]> = [
  ['collect', stack.collect],
  ['consent', stack.consent],
  ['ga4 deliverer', ga4.deliverer],
  ['admin', stack.admin],
]

const environmentSchema = z.object({
  Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }),
})
const roleSchema = z.object({ Properties: z.object({ ManagedPolicyArns: z.array(z.unknown()).optional() }) })
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]

function environmentOf(fn: TagwardenFunction): Record<string, unknown> {
  return environmentSchema.parse(resourceOf(template, fn.function)).Properties.Environment.Variables
}

const statementsSchema = z.object({
  Properties: z.object({
    PolicyDocument: z.object({
      Statement: z.array(
        z.object({
          Action: z.union([z.string(), z.array(z.string())]),
          Resource: z.unknown(),
          Condition: z.unknown().optional(),
        }),
      ),
    }),
  }),
})

function statementsOf(fn: TagwardenFunction) {
  return Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(fn.role)] } }),
  ).flatMap((policy) => statementsSchema.parse(policy).Properties.PolicyDocument.Statement)
}

function policyOf(fn: TagwardenFunction): string {
  return JSON.stringify(
    Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(fn.role)] } })),
  )
}

describe.each(functions)('the %s function', (_name, fn) => {
  it('runs on the newest Node.js runtime on arm64', () => {
    expect(resourceOf(template, fn.function)).toMatchObject({
      Properties: { Runtime: 'nodejs24.x', Architectures: ['arm64'] },
    })
  })

  it('logs JSON into its own log group with the configured retention', () => {
    expect(resourceOf(template, fn.function)).toMatchObject({
      Properties: { LoggingConfig: { LogFormat: 'JSON', LogGroup: ref(fn.logGroup) } },
    })
    expect(resourceOf(template, fn.logGroup)).toMatchObject({ Properties: { RetentionInDays: 30 } })
  })

  it('maps stack traces through the bundled source maps', () => {
    expect(environmentOf(fn).NODE_OPTIONS).toBe('--enable-source-maps')
  })

  it('receives the validated deployment configuration, without vendor settings (those are in the config table)', () => {
    const embedded = z.string().parse(environmentOf(fn).TAGWARDEN_CONFIG_JSON)

    const { vendors: _seed, ...deployment } = config.runtime
    expect(deploymentConfigSchema.parse(JSON.parse(embedded))).toEqual({ ...deployment, production: true })
  })

  it('runs under its own role with no managed policies', () => {
    expect(resourceOf(template, fn.function)).toMatchObject({ Properties: { Role: getAtt(fn.role, 'Arn') } })
    expect(roleSchema.parse(resourceOf(template, fn.role)).Properties.ManagedPolicyArns).toBeUndefined()
  })
})

describe('the collector', () => {
  it('is bound to the consent and idempotency tables, each vendor queue and the pseudonym key', () => {
    expect(environmentOf(stack.collect)).toMatchObject({
      CONSENT_TABLE_NAME: ref(stack.tables.consent),
      IDEMPOTENCY_TABLE_NAME: ref(stack.tables.idempotency),
      QUEUE_URL_GA4: ref(ga4.queue),
      PSEUDONYM_SECRET_ARN: ref(stack.pseudonymKey),
      CALENDLY_SECRET_ARN: ref(stack.calendlySigningKeys),
    })
  })

  it('alone may read the Calendly signing keys', () => {
    const readers = [stack.collect, stack.consent, ga4.deliverer].filter((fn) =>
      statementsOf(fn).some(
        (statement) =>
          [statement.Action].flat().includes('secretsmanager:GetSecretValue') &&
          JSON.stringify([statement.Resource].flat()).includes(
            JSON.stringify(ref(stack.calendlySigningKeys)),
          ),
      ),
    )
    expect(readers).toEqual([stack.collect])
  })

  it('may read consent and vendor settings, and write neither a consent decision nor a setting', () => {
    for (const table of [stack.tables.consent, stack.tables.config]) {
      const reads = statementsOf(stack.collect).filter(
        (statement) =>
          JSON.stringify([statement.Resource].flat()).includes(JSON.stringify(getAtt(table, 'Arn'))) &&
          ['dynamodb:GetItem', 'dynamodb:Query'].every((action) =>
            [statement.Action].flat().includes(action),
          ),
      )
      expect(reads).not.toEqual([])
    }
    const writes = statementsOf(stack.collect).filter(
      (statement) =>
        [stack.tables.consent, stack.tables.config].some((table) =>
          JSON.stringify([statement.Resource].flat()).includes(JSON.stringify(getAtt(table, 'Arn'))),
        ) && [statement.Action].flat().some((action) => WRITE_ACTIONS.includes(action)),
    )
    // The two writes: a hashed-trait item and a session item, whose attributes cannot hold a decision
    // (`purposes`).
    expect(writes).toEqual([
      {
        Action: 'dynamodb:PutItem',
        Resource: getAtt(stack.tables.consent, 'Arn'),
        Condition: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': ['pk', 'sk', 'traits', 'expiresAt', 'revision'],
          },
        },
      },
      {
        Action: 'dynamodb:PutItem',
        Resource: getAtt(stack.tables.consent, 'Arn'),
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'session', 'expiresAt'] },
        },
      },
    ])
  })

  it('may read and write idempotency marks, and write no other table (beyond trait and session items)', () => {
    const writes = statementsOf(stack.collect).filter(
      (statement) =>
        statement.Condition === undefined &&
        [statement.Action].flat().some((action) => WRITE_ACTIONS.includes(action)),
    )
    expect(writes.map((statement) => statement.Resource)).toEqual([getAtt(stack.tables.idempotency, 'Arn')])
    expect(writes[0]?.Action).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:PutItem']))
  })

  it('runs with the configured reserved concurrency, so a flood cannot take the consent API’s share', () => {
    expect(config.collect.reservedConcurrency).toBe(50)
    expect(resourceOf(template, stack.collect.function)).toMatchObject({
      Properties: { ReservedConcurrentExecutions: 50 },
    })
    for (const other of [stack.consent, ga4.deliverer]) {
      expect(resourceOf(template, other.function)).not.toMatchObject({
        Properties: { ReservedConcurrentExecutions: expect.anything() },
      })
    }
  })

  it('reserves no concurrency when the configuration sets none', () => {
    const { template: unreserved, stack: unreservedStack } = synthesize(exampleConfig({ collect: {} }))

    expect(resourceOf(unreserved, unreservedStack.collect.function)).not.toMatchObject({
      Properties: { ReservedConcurrentExecutions: expect.anything() },
    })
  })

  it('may send to every vendor queue, and to no dead-letter queue', () => {
    const sendable = statementsOf(stack.collect)
      .filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'))
      .flatMap((statement) => [statement.Resource].flat())
    const queues = [...stack.deliveries.values()]
    expect(sendable).toEqual(expect.arrayContaining(queues.map((delivery) => getAtt(delivery.queue, 'Arn'))))
    for (const delivery of queues)
      expect(sendable).not.toContainEqual(getAtt(delivery.deadLetterQueue, 'Arn'))
  })
})

describe('the consent function', () => {
  it('is bound to the consent table, the config table (policy versions) and the pseudonym key', () => {
    expect(environmentOf(stack.consent)).toMatchObject({
      CONSENT_TABLE_NAME: ref(stack.tables.consent),
      CONFIG_TABLE_NAME: ref(stack.tables.config),
      PSEUDONYM_SECRET_ARN: ref(stack.pseudonymKey),
    })
  })

  it('may write consent records', () => {
    for (const action of WRITE_ACTIONS) expect(policyOf(stack.consent)).toContain(action)
  })
})

describe('the ga4 deliverer', () => {
  it('writes no consent decision: only its last batch (vendor-status), ledger items and erasure status', () => {
    const writes = statementsOf(ga4.deliverer).filter((statement) =>
      [statement.Action].flat().some((action) => WRITE_ACTIONS.includes(action)),
    )
    expect(writes).toEqual([
      {
        Action: 'dynamodb:PutItem',
        Resource: getAtt(stack.tables.config, 'Arn'),
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['vendor-status'] } },
      },
      {
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        Resource: getAtt(stack.tables.consent, 'Arn'),
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...LEDGER_ITEM_ATTRIBUTES] } },
      },
      {
        Action: 'dynamodb:UpdateItem',
        Resource: getAtt(stack.tables.consent, 'Arn'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['erasure#*'] } },
      },
    ])
    // A consent decision has attributes no ledger item has, so the ledger grant cannot write one.
    expect(LEDGER_ITEM_ATTRIBUTES).not.toContain('purposes')
  })
})

describe('the pseudonym key', () => {
  it('is a generated 64-character secret', () => {
    expect(resourceOf(template, stack.pseudonymKey)).toMatchObject({
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
    })
  })

  it('is retained when the stack is deleted, so stored consent stays reachable', () => {
    expect(resourceOf(template, stack.pseudonymKey)).toMatchObject({ DeletionPolicy: 'Retain' })
  })

  it('is readable by the collector, the consent function, the admin and the HubSpot deliverer (its sealed e-mail) only', () => {
    const hubspot = stack.deliveries.get('hubspot')
    if (!hubspot) throw new Error('the example configuration deploys no hubspot delivery')
    expect(rolesWithPolicyMentioning(template, stack.pseudonymKey).sort()).toEqual(
      [
        JSON.stringify(ref(stack.collect.role)),
        JSON.stringify(ref(stack.consent.role)),
        JSON.stringify(ref(stack.admin.role)),
        JSON.stringify(ref(hubspot.deliverer.role)),
      ].sort(),
    )
    expect(resourceOf(template, hubspot.deliverer.function)).toMatchObject({
      Properties: { Environment: { Variables: { PSEUDONYM_SECRET_ARN: ref(stack.pseudonymKey) } } },
    })
  })
})
