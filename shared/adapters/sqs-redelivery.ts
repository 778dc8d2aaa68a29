import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'
import type { Redelivery } from '#shared/delivery/redelivery.ts'

/** SQS's limit on entries per ChangeMessageVisibilityBatch call. */
export const SQS_MAX_BATCH_ENTRIES = 10

/** Some records kept their old visibility: SQS refused their change (stale handle, queue limits). */
export class RedeliveryError extends Error {
  override name = 'RedeliveryError'
}

/** Redelivery on a vendor's SQS queue: ChangeMessageVisibilityBatch, ten records per call. */
export function sqsRedelivery(client: SQSClient, queueUrl: string): Redelivery {
  return {
    async delay(records) {
      const refusals: string[] = []
      const chunks = []
      for (let start = 0; start < records.length; start += SQS_MAX_BATCH_ENTRIES)
        chunks.push(records.slice(start, start + SQS_MAX_BATCH_ENTRIES))
      await Promise.all(
        chunks.map(async (chunk) => {
          const { Failed = [] } = await client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              // Entry ids need only be unique within one call.
              Entries: chunk.map((record, index) => ({
                Id: String(index),
                ReceiptHandle: record.receiptHandle,
                VisibilityTimeout: record.delaySeconds,
              })),
            }),
          )
          for (const failure of Failed)
            refusals.push(`${failure.Code ?? 'unknown'}: ${failure.Message ?? ''}`)
        }),
      )
      if (refusals.length > 0)
        throw new RedeliveryError(`SQS kept ${refusals.length} records' visibility: ${refusals[0]}`)
    },
  }
}
