import middy from '@middy/core'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { type DeliverDeps, deliverRecords } from '#shared/delivery/deliver.ts'

/**
 * A vendor's deliverer: one SQS batch in, the records to retry out. Vendors like GA4 take many events
 * per request, so the batch is delivered as a whole and the partial batch response is built here rather
 * than by Powertools' record-at-a-time batch processor.
 */
export function createDeliverHandler<P>(deps: DeliverDeps<P>) {
  const deliverBatch = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const records = event.Records.map((record) => ({ recordId: record.messageId, body: record.body }))
    const { failedRecordIds } = await deliverRecords(records, deps)
    return { batchItemFailures: failedRecordIds.map((id) => ({ itemIdentifier: id })) }
  }
  return middy<SQSEvent, SQSBatchResponse>().handler(deliverBatch)
}
