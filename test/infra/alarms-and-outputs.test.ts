import { Match } from 'aws-cdk-lib/assertions'
import { describe, it } from 'vitest'
import { exampleConfig, getAtt, ref, synthesize } from './synth.ts'

const { stack, template } = synthesize(exampleConfig())
const ga4 = stack.deliveries.get('ga4')
if (!ga4) throw new Error('the example configuration deploys no ga4 delivery')
const topic = ref(stack.alarms.topic)

describe('alarms', () => {
  it('fire on any message in a dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(ga4.deadLetterQueue, 'QueueName') }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    })
  })

  it('fire when a vendor refuses our API version as sunset (426), read from its deliverer’s retry log lines', () => {
    const linkedin = stack.deliveries.get('linkedin')
    if (!linkedin) throw new Error('every vendor gets a delivery')
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: ref(linkedin.deliverer.logGroup),
      FilterPattern: Match.stringLikeRegexp('\\$\\.message = "retry".*\\$\\.reason = "\\*answered 426\\*"'),
      MetricTransformations: [
        Match.objectLike({ MetricNamespace: 'tagwarden', MetricName: 'LinkedinVersionSunset' }),
      ],
    })
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'tagwarden',
      MetricName: 'LinkedinVersionSunset',
      Threshold: 1,
      AlarmActions: [topic],
    })
  })

  it('fire when the oldest queued message is older than the configured age', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(ga4.queue, 'QueueName') }],
      Threshold: 15 * 60 + 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    })
  })

  it.each(['Errors', 'Throttles'])('fire on collector %s', (metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.collect.function) }],
      Threshold: 1,
      AlarmActions: [topic],
    })
  })

  it('go to the configured e-mail address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topic,
    })
  })

  it('are published to a KMS-encrypted topic CloudWatch is allowed to use', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() })
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    })
  })
})

describe('outputs', () => {
  it('give the API URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() })
    template.hasOutput('EndpointUrl', { Value: Match.anyValue() })
  })

  it('give the table names', () => {
    template.hasOutput('ConsentTableName', { Value: ref(stack.tables.consent) })
    template.hasOutput('ConfigTableName', { Value: ref(stack.tables.config) })
  })

  it('give each vendor queue URL and the secret to put its credentials in', () => {
    template.hasOutput('Ga4QueueUrl', { Value: ref(ga4.queue) })
    template.hasOutput('Ga4DeadLetterQueueUrl', { Value: ref(ga4.deadLetterQueue) })
    template.hasOutput('Ga4SecretArn', { Value: ref(ga4.secret) })
  })
})
