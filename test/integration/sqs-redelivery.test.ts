import {
  ChangeMessageVisibilityCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import type { SQSEvent } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { RedeliveryError, sqsRedelivery } from '#shared/adapters/sqs-redelivery.ts'
import type { VendorPolicy } from '#shared/consent/decide.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import type { VendorAdapter } from '#shared/vendors/adapter.ts'
import { createDeliverHandler } from '../../functions/deliver/handler.ts'
import { lambdaContext } from '../../local/lambda-context.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'
import { ga4Adapter } from '../support/ga4.ts'
import {
  consentRecord,
  GA4_POLICY,
  inMemoryConsent,
  parkedList,
  queuedMessage,
} from '../unit/delivery/fixtures.ts'
import { GA4_CONFIG, NOW } from '../unit/vendors/fixtures.ts'

/** The visibility the test's first receive sets: short, so waiting past it stays cheap. */
const FIRST_VISIBILITY_SECONDS = 1
const PAST_FIRST_VISIBILITY_MS = 1_500

let sqs: LocalSqs
let client: SQSClient
let vendor: CaptureServer | undefined

beforeAll(async () => {
  sqs = await startLocalSqs()
  client = new SQSClient(sqs.clientConfig)
})

afterAll(async () => {
  client.destroy()
  await sqs.close()
})

afterEach(async () => {
  await vendor?.close()
  vendor = undefined
})

async function receive(queueUrl: string, visibilitySeconds = FIRST_VISIBILITY_SECONDS): Promise<Message[]> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: visibilitySeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      WaitTimeSeconds: 0,
    }),
  )
  return Messages
}

/** What Lambda's SQS event source hands the deliverer for these received messages. */
function sqsEvent(messages: ReadonlyArray<Message>): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: '0',
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ga4',
      awsRegion: 'us-east-1',
    })),
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('sqsRedelivery against fauxqs', () => {
  it("keeps a record a 429 answered with Retry-After: 7 hidden past the queue's own visibility", async () => {
    const queueUrl = await sqs.createQueue('ga4-retry-after')
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(queuedMessage()) }),
    )
    vendor = await startCaptureServer({
      respond: () => ({ status: 429, headers: { 'retry-after': '7' }, body: 'slow down' }),
    })
    const outcomes: OutcomeReport[] = []
    const handler = createDeliverHandler({
      binding: bound(ga4Adapter(GA4_CONFIG, 'secret', { baseUrl: vendor.url, now: () => NOW }), GA4_POLICY),
      consent: inMemoryConsent({ 'consent-key-a': consentRecord('consent-key-a', true) }),
      sender: fetchSender(),
      deadLetters: parkedList(),
      redelivery: sqsRedelivery(client, queueUrl),
      random: () => 0,
      now: () => NOW,
      onOutcome: (report) => outcomes.push(report),
    })
    const received = await receive(queueUrl)

    const result = await handler(sqsEvent(received), lambdaContext('deliver-test'))

    expect(result?.batchItemFailures).toEqual([{ itemIdentifier: received[0]?.MessageId }])
    expect(outcomes.map((outcome) => outcome.reason)).toEqual(['ga4 answered 429; next try in 7 s'])
    await pause(PAST_FIRST_VISIBILITY_MS)
    expect(await receive(queueUrl)).toEqual([])
    // Making it visible now with the same handle shows the change reached the queue and the record is kept.
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: received[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    )
    const [again] = await receive(queueUrl)
    expect(again?.MessageId).toBe(received[0]?.MessageId)
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2')
  })

  it('changes more records than one batch call takes, ten at a time', async () => {
    const queueUrl = await sqs.createQueue('ga4-many')
    for (let index = 0; index < 12; index += 1)
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${index}` }))
    const received = [...(await receive(queueUrl)), ...(await receive(queueUrl))]
    expect(received).toHaveLength(12)

    await sqsRedelivery(client, queueUrl).delay(
      received.map((message) => ({
        recordId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        delaySeconds: 0,
      })),
    )

    expect(await receive(queueUrl)).toHaveLength(10)
    expect(await receive(queueUrl)).toHaveLength(2)
  })

  it('says so when SQS refuses a change, so the caller knows the record keeps its old visibility', async () => {
    const queueUrl = await sqs.createQueue('ga4-stale')

    await expect(
      sqsRedelivery(client, queueUrl).delay([
        { recordId: 'r1', receiptHandle: 'not-a-receipt-handle', delaySeconds: 5 },
      ]),
    ).rejects.toThrow(RedeliveryError)
  })
})

/** A binding that never changes: the adapter built once, with its policy. */
function bound<P>(adapter: VendorAdapter<P>, policy: VendorPolicy) {
  return () => ({ adapter, policy })
}
