import type { SQSEvent } from 'aws-lambda'
import { afterEach, describe, expect, it } from 'vitest'
import type { VendorMessage } from '#shared/delivery/message.ts'
import { Outbox } from '../../../local/outbox.ts'
import { LocalQueues } from '../../../local/queues.ts'

const FAST = { pollIntervalMs: 5, batchSize: 25, maxReceiveCount: 3, retryDelayMs: 1 }

function message(messageId: string): VendorMessage {
  return {
    vendor: 'ga4',
    messageId,
    siteId: 'example',
    consentKey: 'key',
    recheck: { eventType: 'page', gpc: false },
    enqueuedAt: new Date().toISOString(),
    payload: { n: messageId },
  }
}

describe('local in-process queues', () => {
  let queues: LocalQueues
  afterEach(() => queues.stop())

  it('hands the deliverer SQS-shaped batches whose bodies are the queued messages', async () => {
    const outbox = new Outbox()
    queues = new LocalQueues(outbox, () => {}, FAST)
    const seen: SQSEvent[] = []
    queues.consume('ga4', async (event) => {
      seen.push(event)
      return { batchItemFailures: [] }
    })
    await queues.enqueue('ga4', [message('a'), message('b')])
    queues.start()
    await queues.drained()
    const records = seen.flatMap((event) => event.Records)
    expect(records.map((record) => JSON.parse(record.body).messageId)).toEqual(['a', 'b'])
    expect(records[0]?.eventSource).toBe('aws:sqs')
    expect(records[0]?.attributes.ApproximateReceiveCount).toBe('1')
  })

  it('redelivers only the records reported as failed', async () => {
    queues = new LocalQueues(new Outbox(), () => {}, FAST)
    const deliveries: string[] = []
    let failedOnce = false
    queues.consume('ga4', async (event) => {
      const failures = []
      for (const record of event.Records) {
        const id = JSON.parse(record.body).messageId
        deliveries.push(id)
        if (id === 'b' && !failedOnce) {
          failedOnce = true
          failures.push({ itemIdentifier: record.messageId })
        }
      }
      return { batchItemFailures: failures }
    })
    await queues.enqueue('ga4', [message('a'), message('b')])
    queues.start()
    await queues.drained()
    expect(deliveries).toEqual(['a', 'b', 'b'])
  })

  it('parks a message in the dead-letter list after maxReceiveCount failed deliveries', async () => {
    const outbox = new Outbox()
    queues = new LocalQueues(outbox, () => {}, FAST)
    let attempts = 0
    queues.consume('ga4', async () => {
      attempts++
      throw new Error('vendor down')
    })
    const doomed = message('doomed')
    await queues.enqueue('ga4', [doomed])
    queues.start()
    await queues.drained()
    expect(attempts).toBe(3)
    expect(outbox.parked).toEqual([{ vendor: 'ga4', reason: 'delivery failed 3 times', message: doomed }])
  })
})
