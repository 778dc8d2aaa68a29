import {
  ListMessageMoveTasksCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs'
import { RedriveInProgressError, type Redriver } from '#shared/admin/ports.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import { queueCounts } from './sqs-queue-attributes.ts'

export interface VendorQueueArns {
  queueArn: string
  deadLetterQueueArn: string
  deadLetterQueueUrl: string
}

/** ListMessageMoveTasks answers the most recent tasks of a source queue, at most 10. */
const MOVE_TASKS_LISTED = 10

/**
 * Redrives a vendor's DLQ with an SQS message move task back to its own queue (not "to the original
 * source", which SQS would take from each message's own history). The deliverer re-checks consent
 * when the messages come round again. SQS runs one move task per source queue at a time: a second
 * redrive while one runs is refused with RedriveInProgressError.
 */
export function sqsRedriver(options: {
  sqs: SQSClient
  queues: Partial<Record<VendorId, VendorQueueArns>>
  onError?: (error: unknown) => void
}): Redriver {
  const { sqs, queues } = options
  return {
    async redrive(vendor) {
      const arns = queues[vendor]
      if (!arns) throw new Error(`no queues configured for ${vendor}`)
      const { Results = [] } = await sqs.send(
        new ListMessageMoveTasksCommand({
          SourceArn: arns.deadLetterQueueArn,
          MaxResults: MOVE_TASKS_LISTED,
        }),
      )
      if (Results.some((task) => task.Status === 'RUNNING'))
        throw new RedriveInProgressError(`a redrive of ${vendor}'s dead letters is already running`)
      const moving = await queueCounts(sqs, arns.deadLetterQueueUrl).then(
        (counts) => counts.visible,
        (error: unknown) => {
          options.onError?.(error)
          return null
        },
      )
      try {
        await sqs.send(
          new StartMessageMoveTaskCommand({
            SourceArn: arns.deadLetterQueueArn,
            DestinationArn: arns.queueArn,
          }),
        )
      } catch (error) {
        // SQS's answer to a second task on the same source queue.
        if (error instanceof UnsupportedOperation)
          throw new RedriveInProgressError(`a redrive of ${vendor}'s dead letters is already running`, {
            cause: error,
          })
        throw error
      }
      return { moving }
    },
  }
}
