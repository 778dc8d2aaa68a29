import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch'
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sqsRedriver } from '#shared/adapters/sqs-redrive.ts'
import { OLDEST_AGE_WINDOW_MS, sqsVendorStatus } from '#shared/adapters/sqs-vendor-status.ts'
import type { LastDelivery } from '#shared/admin/api.ts'
import { type LastDeliveryStore, RedriveInProgressError } from '#shared/admin/ports.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'

const NOW = new Date('2026-12-03T10:00:00.000Z')
const LAST: LastDelivery = { at: '2026-12-03T09:59:58.000Z', outcome: 'retry', detail: 'ga4 answered 503' }
const lastDelivery: LastDeliveryStore = {
  record: async () => {},
  read: async (vendor) => (vendor === 'ga4' ? LAST : null),
}

/**
 * SQS figures against fauxqs. fauxqs serves neither CloudWatch nor SQS message move tasks
 * (StartMessageMoveTask, ListMessageMoveTasks), so those calls alone are answered by aws-sdk-client-mock.
 */
describe('SQS vendor status and redrive', () => {
  let local: LocalSqs
  let sqs: SQSClient
  let queueUrl: string
  let deadLetterQueueUrl: string
  let queueArn: string
  let deadLetterQueueArn: string

  const arnOf = async (url: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    )
    if (!Attributes?.QueueArn) throw new Error(`no ARN for ${url}`)
    return Attributes.QueueArn
  }

  beforeAll(async () => {
    local = await startLocalSqs()
    sqs = new SQSClient(local.clientConfig)
    deadLetterQueueUrl = await local.createQueue('tagwarden-ga4-dlq')
    deadLetterQueueArn = await arnOf(deadLetterQueueUrl)
    queueUrl = await local.createQueue('tagwarden-ga4', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: 7 }),
    })
    queueArn = await arnOf(queueUrl)
    for (const n of [1, 2, 3, 4])
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `queued-${n}` }))
    await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }),
    )
    // A message sent with a delay is waiting too (ApproximateNumberOfMessagesDelayed).
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'delayed', DelaySeconds: 600 }))
    for (const n of [1, 2])
      await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterQueueUrl, MessageBody: `dead-${n}` }))
  })
  afterAll(async () => {
    sqs?.destroy()
    await local?.close()
  })

  describe('status', () => {
    const cloudwatch = new CloudWatchClient({ region: 'eu-central-1' })
    const cloudwatchMock = mockClient(cloudwatch)
    const errors: unknown[] = []
    beforeEach(() => {
      cloudwatchMock.reset()
      errors.length = 0
    })
    const status = (queues = { ga4: { queueUrl, deadLetterQueueUrl } }) =>
      sqsVendorStatus({
        sqs,
        cloudwatch,
        queues,
        lastDelivery,
        onError: (error) => errors.push(error),
        now: () => NOW,
      })

    it('tells depth (delayed included), in flight, dead letters, the newest minute of the oldest age and the last outcome', async () => {
      cloudwatchMock
        .on(GetMetricDataCommand)
        .resolves({ MetricDataResults: [{ Id: 'oldest', Values: [42, 17] }] })

      const figures = await status().statusOf('ga4')

      expect(figures).toEqual({
        queue: { depth: 4, inFlight: 1, oldestAgeSeconds: 42 },
        deadLetters: { count: 2 },
        lastDelivery: LAST,
      })
      const [call] = cloudwatchMock.commandCalls(GetMetricDataCommand)
      expect(call?.args[0].input).toMatchObject({
        StartTime: new Date(NOW.getTime() - OLDEST_AGE_WINDOW_MS),
        EndTime: NOW,
        MetricDataQueries: [
          {
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [{ Name: 'QueueName', Value: 'tagwarden-ga4' }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      })
      expect(errors).toEqual([])
    })

    it('has no oldest age when CloudWatch has no datapoint', async () => {
      cloudwatchMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'oldest', Values: [] }] })

      expect((await status().statusOf('ga4')).queue.oldestAgeSeconds).toBeNull()
    })

    it('answers null for each figure it cannot read, and reports why', async () => {
      cloudwatchMock.on(GetMetricDataCommand).rejects(new Error('AccessDenied'))
      const missing = `${local.endpoint}/000000000000/tagwarden-no-such-queue`

      const figures = await status({ ga4: { queueUrl: missing, deadLetterQueueUrl } }).statusOf('ga4')

      expect(figures).toEqual({
        queue: { depth: null, inFlight: null, oldestAgeSeconds: null },
        deadLetters: { count: 2 },
        lastDelivery: LAST,
      })
      expect(errors).toHaveLength(2)
    })
  })

  describe('redrive', () => {
    // A second client for fauxqs: the mocked one forwards GetQueueAttributes there.
    const moveTasks = new SQSClient({ region: 'eu-central-1' })
    const sqsMock = mockClient(moveTasks)
    beforeEach(() => {
      sqsMock.reset()
      sqsMock
        .on(GetQueueAttributesCommand)
        .callsFake((input) => sqs.send(new GetQueueAttributesCommand(input)))
      sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'COMPLETED' }] })
      sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' })
    })
    const redriver = (urlOfDlq = deadLetterQueueUrl) =>
      sqsRedriver({
        sqs: moveTasks,
        queues: { ga4: { queueArn, deadLetterQueueArn, deadLetterQueueUrl: urlOfDlq } },
      })

    it('moves the DLQ back to the vendor queue and says how many it started with', async () => {
      expect(await redriver().redrive('ga4')).toEqual({ moving: 2 })
      const [start] = sqsMock.commandCalls(StartMessageMoveTaskCommand)
      expect(start?.args[0].input).toEqual({ SourceArn: deadLetterQueueArn, DestinationArn: queueArn })
    })

    it('refuses while a move task runs, starting none', async () => {
      sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'RUNNING' }] })

      await expect(redriver().redrive('ga4')).rejects.toBeInstanceOf(RedriveInProgressError)
      expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0)
    })

    it('refuses when SQS answers that a task already runs for the DLQ', async () => {
      sqsMock
        .on(StartMessageMoveTaskCommand)
        .rejects(new UnsupportedOperation({ message: 'There is already a task running.', $metadata: {} }))

      await expect(redriver().redrive('ga4')).rejects.toBeInstanceOf(RedriveInProgressError)
    })

    it('starts the move even when the DLQ count cannot be read', async () => {
      const unreadable = `${local.endpoint}/000000000000/tagwarden-no-such-dlq`
      expect(await redriver(unreadable).redrive('ga4')).toEqual({ moving: null })
      expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(1)
    })
  })
})
