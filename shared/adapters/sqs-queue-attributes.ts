import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs'

export interface QueueCounts {
  /** ApproximateNumberOfMessages: waiting and receivable now. */
  visible: number
  /** ApproximateNumberOfMessagesDelayed: waiting for their send delay. */
  delayed: number
  /** ApproximateNumberOfMessagesNotVisible: received and not yet deleted (in flight, or set to come back later). */
  notVisible: number
}

/** A queue's approximate counts in one GetQueueAttributes call. */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  )
  // SQS answers every attribute as text; a count that is not a whole number is no count at all.
  const count = (name: keyof typeof Attributes): number => {
    const text = Attributes[name]
    if (text === undefined || !/^\d{1,15}$/.test(text))
      throw new Error(`SQS answered no whole ${name} for ${queueUrl}`)
    return Number(text)
  }
  return {
    visible: count('ApproximateNumberOfMessages'),
    delayed: count('ApproximateNumberOfMessagesDelayed'),
    notVisible: count('ApproximateNumberOfMessagesNotVisible'),
  }
}
