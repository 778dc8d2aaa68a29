import middy from '@middy/core'
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { type DeliverDeps, deliverRecords, type QueueRecord } from '#shared/delivery/deliver.ts'

/**
 * A vendor's deliverer: one SQS batch in, the records to retry out. Vendors like GA4 take many events
 * per request, so the batch is delivered as a whole and the partial batch response is built here rather
 * than by Powertools' record-at-a-time batch processor.
 */
export function createDeliverHandler<P>(deps: DeliverDeps<P>) {
  const deliverBatch = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { failedRecordIds } = await deliverRecords(event.Records.map(queueRecordOf), deps)
    return { batchItemFailures: failedRecordIds.map((id) => ({ itemIdentifier: id })) }
  }
  return middy<SQSEvent, SQSBatchResponse>().handler(deliverBatch)
}

function queueRecordOf(record: SQSRecord): QueueRecord {
  const receiveCount = Number.parseInt(record.attributes?.ApproximateReceiveCount ?? '', 10)
  return {
    recordId: record.messageId,
    body: record.body,
    receiptHandle: record.receiptHandle,
    receiveCount: Number.isSafeInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1,
  }
}
