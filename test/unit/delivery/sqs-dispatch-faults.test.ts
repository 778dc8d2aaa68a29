import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import { EnqueueError, sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import { queuedMessage } from './fixtures.ts'

// Server-side entry failures cannot be provoked on a real SQS server at will; they are injected here.
const sqs = mockClient(SQSClient)
const QUEUE = 'https://sqs.eu-central-1.amazonaws.com/000000000000/tagwarden-ga4'
const serverFault = (id: string) => ({ Id: id, Code: 'InternalError', SenderFault: false })

describe('sqsDispatch when SQS fails some entries on its side', () => {
  afterEach(() => sqs.reset())

  it('sends only the failed entries again, and succeeds without the client resending', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [serverFault('m1')] })
      .resolves({ Successful: [], Failed: [] })
    const messages = [queuedMessage({ messageId: 'a' }), queuedMessage({ messageId: 'b' })]

    await sqsDispatch(new SQSClient({}), { ga4: QUEUE }).enqueue('ga4', messages)

    const calls = sqs.commandCalls(SendMessageBatchCommand)
    expect(calls).toHaveLength(2)
    const resent = calls[1]?.args[0].input.Entries ?? []
    expect(resent.map((entry) => JSON.parse(entry.MessageBody ?? '').messageId)).toEqual(['b'])
  })

  it('gives up after two retries so the collector answers 5xx', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [serverFault('m0')] })

    const enqueue = sqsDispatch(new SQSClient({}), { ga4: QUEUE }).enqueue('ga4', [queuedMessage()])

    await expect(enqueue).rejects.toThrow(EnqueueError)
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3)
  })

  it('does not retry an entry SQS refused as the sender’s fault', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: 'm0', Code: 'InvalidMessageContents', SenderFault: true }],
    })

    await expect(
      sqsDispatch(new SQSClient({}), { ga4: QUEUE }).enqueue('ga4', [queuedMessage()]),
    ).rejects.toThrow(/InvalidMessageContents/)
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1)
  })
})
