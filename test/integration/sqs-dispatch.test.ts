import { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EnqueueError, sqsDispatch, sqsMessageBody } from '#shared/adapters/sqs-dispatch.ts'
import { vendorMessageSchema } from '#shared/delivery/message-schema.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'
import { queuedMessage } from '../unit/delivery/fixtures.ts'

let sqs: LocalSqs
let client: SQSClient

beforeAll(async () => {
  sqs = await startLocalSqs()
  client = new SQSClient(sqs.clientConfig)
})

afterAll(async () => {
  client.destroy()
  await sqs.close()
})

const bodiesIn = async (queueUrl: string) =>
  (await sqs.receiveAll(queueUrl)).map((message) => vendorMessageSchema.parse(JSON.parse(message.Body ?? '')))

describe('sqsDispatch', () => {
  it('puts every message on the vendor queue as JSON', async () => {
    const queueUrl = await sqs.createQueue('ga4-plain')
    const messages = [queuedMessage({ messageId: 'a' }), queuedMessage({ messageId: 'b' })]

    await sqsDispatch(client, { ga4: queueUrl }).enqueue('ga4', messages)

    expect(await bodiesIn(queueUrl)).toEqual(messages)
  })

  it('splits more than 10 messages into batches SQS accepts', async () => {
    const queueUrl = await sqs.createQueue('ga4-many')
    const messages = Array.from({ length: 23 }, (_, i) => queuedMessage({ messageId: `m${i}` }))

    await sqsDispatch(client, { ga4: queueUrl }).enqueue('ga4', messages)

    const ids = (await bodiesIn(queueUrl)).map((message) => message.messageId).sort()
    expect(ids).toEqual(messages.map((message) => message.messageId).sort())
  })

  it('splits batches by size as well as by count', async () => {
    const queueUrl = await sqs.createQueue('ga4-large')
    // Ten of these in one call would be over 1 MiB, which even fauxqs refuses.
    const bulky = (i: number) => queuedMessage({ messageId: `m${i}`, siteId: 'x'.repeat(120 * 1024) })
    const messages = Array.from({ length: 10 }, (_, i) => bulky(i))

    await sqsDispatch(client, { ga4: queueUrl }).enqueue('ga4', messages)

    expect(await bodiesIn(queueUrl)).toHaveLength(10)
  })

  it('keeps text SQS would refuse readable, emoji and U+FFFF included', async () => {
    const queueUrl = await sqs.createQueue('ga4-text')
    const message = queuedMessage({ siteId: 'shop 😀 \uFFFF ü' })

    await sqsDispatch(client, { ga4: queueUrl }).enqueue('ga4', [message])

    expect(await bodiesIn(queueUrl)).toEqual([message])
    expect(JSON.parse(sqsMessageBody(message))).toEqual(message)
  })

  it('throws when SQS refuses an entry, so the collector answers 5xx and nothing is lost', async () => {
    const queueUrl = await sqs.createQueue('ga4-small', { MaximumMessageSize: '1024' })
    const messages = [
      queuedMessage({ messageId: 'fits' }),
      queuedMessage({ messageId: 'big', siteId: 'x'.repeat(2000) }),
    ]

    const enqueue = sqsDispatch(client, { ga4: queueUrl }).enqueue('ga4', messages)

    await expect(enqueue).rejects.toThrow(EnqueueError)
    await expect(enqueue).rejects.toThrow(/1 of 2 messages not queued for ga4/)
  })

  it('throws when the vendor has no queue', async () => {
    await expect(sqsDispatch(client, {}).enqueue('ga4', [queuedMessage()])).rejects.toThrow(
      /No queue configured/,
    )
  })
})
