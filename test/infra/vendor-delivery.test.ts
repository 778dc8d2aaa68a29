import { Match } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { VENDOR_MAX_TIMEOUT_MS } from '#shared/vendors/contract.ts'
import { delivererTimeout } from '../../infra/constructs/vendor-delivery.ts'
import { DELIVERED_VENDORS } from '../../infra/vendors.ts'
import {
  exampleConfig,
  exampleRuntimeInput,
  getAtt,
  ref,
  resourceOf,
  rolesWithPolicyMentioning,
  synthesize,
} from './synth.ts'

const config = exampleConfig({
  delivery: { maxReceiveCount: 7, deadLetterRetentionDays: 10, vendors: { ga4: { maxConcurrency: 4 } } },
})
const { stack, template } = synthesize(config)
const ga4 = stack.deliveries.get('ga4')
if (!ga4) throw new Error('the example configuration deploys no ga4 delivery')

const timeoutSchema = z.object({ Properties: z.object({ Timeout: z.number() }) })
const visibilitySchema = z.object({ Properties: z.object({ VisibilityTimeout: z.number() }) })
const statementsSchema = z.object({
  Properties: z.object({
    PolicyDocument: z.object({
      Statement: z.array(
        z.object({ Action: z.union([z.string(), z.array(z.string())]), Resource: z.unknown() }),
      ),
    }),
  }),
})
const batchingSchema = z.object({ Properties: z.object({ MaximumBatchingWindowInSeconds: z.number() }) })

describe('a vendor queue', () => {
  it('moves a message to the dead-letter queue after maxReceiveCount receives from config', () => {
    expect(resourceOf(template, ga4.queue)).toMatchObject({
      Properties: {
        RedrivePolicy: { deadLetterTargetArn: getAtt(ga4.deadLetterQueue, 'Arn'), maxReceiveCount: 7 },
      },
    })
  })

  it('keeps a message 14 days, so a long vendor outage ends in the dead-letter queue, not in deletion', () => {
    expect(resourceOf(template, ga4.queue)).toMatchObject({
      Properties: { MessageRetentionPeriod: 14 * 24 * 60 * 60 },
    })
  })

  it('keeps dead letters for the configured retention', () => {
    expect(resourceOf(template, ga4.deadLetterQueue)).toMatchObject({
      Properties: { MessageRetentionPeriod: 10 * 24 * 60 * 60 },
    })
  })

  it.each([
    ['queue', ga4.queue],
    ['dead-letter queue', ga4.deadLetterQueue],
  ])('the %s is encrypted at rest', (_name, queue) => {
    expect(resourceOf(template, queue)).toMatchObject({ Properties: { SqsManagedSseEnabled: true } })
  })

  it.each([
    ['queue', ga4.queue],
    ['dead-letter queue', ga4.deadLetterQueue],
  ])('the %s refuses requests without TLS', (_name, queue) => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    })
  })

  it('hides a message for at least six times the deliverer timeout plus the batching window', () => {
    const { Timeout } = timeoutSchema.parse(resourceOf(template, ga4.deliverer.function)).Properties
    const { VisibilityTimeout } = visibilitySchema.parse(resourceOf(template, ga4.queue)).Properties
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0]
    const { MaximumBatchingWindowInSeconds } = batchingSchema.parse(mapping).Properties

    expect(VisibilityTimeout).toBeGreaterThanOrEqual(6 * Timeout + MaximumBatchingWindowInSeconds)
  })
})

describe('a vendor deliverer', () => {
  it('reads its queue in batches of 25 (the GA4 per-request limit) and reports failed items', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(ga4.deliverer.function),
      EventSourceArn: getAtt(ga4.queue, 'Arn'),
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    })
  })

  it('runs at most maxConcurrency invocations from config at once', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(ga4.deliverer.function),
      ScalingConfig: { MaximumConcurrency: 4 },
    })
  })

  it('is told its vendor, its dead-letter queue, its secret and the consent table', () => {
    expect(resourceOf(template, ga4.deliverer.function)).toMatchObject({
      Properties: {
        Environment: {
          Variables: {
            VENDOR: 'ga4',
            DLQ_URL: ref(ga4.deadLetterQueue),
            QUEUE_URL: ref(ga4.queue),
            VENDOR_SECRET_ARN: ref(ga4.secret),
            CONSENT_TABLE_NAME: ref(stack.tables.consent),
          },
        },
      },
    })
  })

  it('is told the redrive policy’s maxReceiveCount, so an erase request failing on its last receive is failed', () => {
    for (const delivery of stack.deliveries.values()) {
      const redrive = z
        .object({ Properties: z.object({ RedrivePolicy: z.object({ maxReceiveCount: z.number() }) }) })
        .parse(resourceOf(template, delivery.queue)).Properties.RedrivePolicy
      expect(resourceOf(template, delivery.deliverer.function)).toMatchObject({
        Properties: { Environment: { Variables: { MAX_RECEIVE_COUNT: String(redrive.maxReceiveCount) } } },
      })
      expect(redrive.maxReceiveCount).toBe(7)
    }
  })

  it('starts with an empty secret, so an enabled vendor fails loudly until ops put the real value', () => {
    expect(resourceOf(template, ga4.secret)).toMatchObject({
      Properties: { SecretString: '{"apiSecret":""}' },
    })
  })

  it('is the only function that can read its vendor secret', () => {
    expect(rolesWithPolicyMentioning(template, ga4.secret)).toEqual([JSON.stringify(ref(ga4.deliverer.role))])
  })

  it('may only send to its dead-letter queue, not read it (only the admin may, to redrive it)', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(ga4.deliverer.role)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
            Resource: getAtt(ga4.deadLetterQueue, 'Arn'),
          }),
        ]),
      },
    })
    expect(rolesWithPolicyMentioning(template, ga4.deadLetterQueue).sort()).toEqual(
      [JSON.stringify(ref(ga4.deliverer.role)), JSON.stringify(ref(stack.admin.role))].sort(),
    )
  })
})

describe('a deliverer setting when a failed record comes back', () => {
  it('may change the visibility of messages on its own queue only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(ga4.deliverer.role)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:ChangeMessageVisibility']),
            Resource: getAtt(ga4.queue, 'Arn'),
          }),
        ]),
      },
    })
    for (const delivery of stack.deliveries.values()) {
      const own = Object.values(
        template.findResources('AWS::IAM::Policy', {
          Properties: { Roles: [ref(delivery.deliverer.role)] },
        }),
      ).flatMap((policy) => statementsSchema.parse(policy).Properties.PolicyDocument.Statement)
      const visibilityGrants = own.filter((statement) =>
        [statement.Action].flat().includes('sqs:ChangeMessageVisibility'),
      )
      expect(visibilityGrants.map((statement) => statement.Resource)).toEqual([getAtt(delivery.queue, 'Arn')])
    }
  })
})

describe('deliverer timeout', () => {
  it('is 30 seconds for the default 5 s vendor request timeout', () => {
    expect(delivererTimeout(5_000).toSeconds()).toBe(30)
  })

  it('grows to three vendor request timeouts for a slow vendor', () => {
    expect(delivererTimeout(20_000).toSeconds()).toBe(60)
  })

  it('sets the queue visibility from the vendor request timeout in config', () => {
    const slowVendor = exampleConfig({
      runtime: {
        ...exampleRuntimeInput(),
        vendors: { ga4: { measurementId: 'G-EXAMPLE123', timeoutMs: 20_000 } },
      },
    })

    const slow = synthesize(slowVendor)
    const slowGa4 = slow.stack.deliveries.get('ga4')
    if (!slowGa4) throw new Error('no ga4 delivery')

    expect(resourceOf(slow.template, slowGa4.deliverer.function)).toMatchObject({
      Properties: { Timeout: 60 },
    })
    expect(resourceOf(slow.template, slowGa4.queue)).toMatchObject({
      Properties: { VisibilityTimeout: 6 * 60 + 5 },
    })
  })
})

describe('vendors without runtime configuration', () => {
  it('still get a delivery pipeline, sized for the longest request timeout, so an admin can switch one on later', () => {
    const withoutVendors = exampleConfig({
      delivery: undefined,
      runtime: { ...exampleRuntimeInput(), vendors: {} },
    })

    const { stack: bare, template: bareTemplate } = synthesize(withoutVendors)

    expect([...bare.deliveries.keys()]).toEqual([...DELIVERED_VENDORS])
    bareTemplate.resourceCountIs('AWS::SQS::Queue', 2 * DELIVERED_VENDORS.length)
    const ga4Deliverer = bare.deliveries.get('ga4')?.deliverer.function
    if (!ga4Deliverer) throw new Error('expected a GA4 deliverer')
    expect(resourceOf(bareTemplate, ga4Deliverer)).toMatchObject({
      Properties: { Timeout: delivererTimeout(VENDOR_MAX_TIMEOUT_MS).toSeconds() },
    })
  })
})
