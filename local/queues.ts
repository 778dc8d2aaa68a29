import { createHash, randomUUID } from 'node:crypto'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { DeadLetters, Dispatch, VendorMessage } from '#shared/delivery/message.ts'
import type { VendorId } from '#shared/vendors/vendor.ts'
import { lambdaContext } from './lambda-context.ts'
import type { Outbox } from './outbox.ts'

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>

export interface LocalQueueSettings {
  pollIntervalMs: number
  batchSize: number
  /** After this many failed receives a message moves to the vendor's dead-letter list, as SQS redrive does. */
  maxReceiveCount: number
  /** First retry delay; doubles with each receive (SQS visibility timeout stand-in). */
  retryDelayMs: number
}

export const DEFAULT_QUEUE_SETTINGS: LocalQueueSettings = {
  pollIntervalMs: 200,
  batchSize: 25,
  maxReceiveCount: 5,
  retryDelayMs: 1_000,
}

interface QueuedItem {
  id: string
  body: string
  receiveCount: number
  visibleAt: number
  sentAt: number
}

/**
 * In-process stand-in for the per-vendor SQS queues and DLQs: it stores messages as JSON text exactly as
 * SQS would, and drives each vendor's deliver handler with SQS-shaped batches.
 */
export class LocalQueues implements Dispatch {
  private readonly queues = new Map<VendorId, QueuedItem[]>()
  private readonly consumers = new Map<VendorId, SqsHandler>()
  private inFlight = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly outbox: Outbox,
    private readonly print: (line: string) => void,
    private readonly settings: LocalQueueSettings = DEFAULT_QUEUE_SETTINGS,
  ) {}

  async enqueue(vendor: VendorId, messages: ReadonlyArray<VendorMessage>): Promise<void> {
    const queue = this.queue(vendor)
    const now = Date.now()
    for (const message of messages) {
      this.outbox.queued.push(message)
      queue.push({
        id: randomUUID(),
        body: JSON.stringify(message),
        receiveCount: 0,
        visibleAt: now,
        sentAt: now,
      })
    }
  }

  /** The vendor's DLQ: where the deliverer parks messages that must not be retried. */
  deadLetters(vendor: VendorId): DeadLetters {
    return {
      park: async (message, reason) => this.park(vendor, message, reason),
    }
  }

  consume(vendor: VendorId, handler: SqsHandler): void {
    this.consumers.set(vendor, handler)
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.settings.pollIntervalMs)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Resolves once every queue is empty and no batch is being delivered (for tests and shutdown). */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.inFlight > 0 || [...this.queues.values()].some((queue) => queue.length > 0)) {
      if (Date.now() > deadline) throw new Error('local queues did not drain in time')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  private async poll(): Promise<void> {
    for (const [vendor, handler] of this.consumers) {
      const batch = this.receive(vendor)
      if (batch.length === 0) continue
      this.inFlight++
      try {
        await this.deliver(vendor, handler, batch)
      } finally {
        this.inFlight--
      }
    }
  }

  private receive(vendor: VendorId): QueuedItem[] {
    const queue = this.queue(vendor)
    const now = Date.now()
    const batch = queue.filter((item) => item.visibleAt <= now).slice(0, this.settings.batchSize)
    for (const item of batch) {
      item.receiveCount++
      item.visibleAt = now + this.settings.retryDelayMs * 2 ** (item.receiveCount - 1)
    }
    return batch
  }

  private async deliver(vendor: VendorId, handler: SqsHandler, batch: QueuedItem[]): Promise<void> {
    let failedIds: Set<string>
    try {
      const response = await handler(sqsEvent(vendor, batch), lambdaContext(`tagwarden-deliver-${vendor}`))
      failedIds = new Set(response?.batchItemFailures.map((failure) => failure.itemIdentifier))
    } catch (error) {
      this.print(`[queue] ${vendor} deliver handler failed, whole batch will be retried: ${String(error)}`)
      failedIds = new Set(batch.map((item) => item.id))
    }
    const queue = this.queue(vendor)
    for (const item of batch) {
      if (!failedIds.has(item.id)) {
        queue.splice(queue.indexOf(item), 1)
      } else if (item.receiveCount >= this.settings.maxReceiveCount) {
        queue.splice(queue.indexOf(item), 1)
        this.park(vendor, JSON.parse(item.body), `delivery failed ${item.receiveCount} times`)
      }
    }
  }

  private park(vendor: VendorId, message: unknown, reason: string): void {
    this.outbox.parked.push({ vendor, reason, message })
    this.print(`[dlq] ${vendor}: ${reason}`)
  }

  private queue(vendor: VendorId): QueuedItem[] {
    let queue = this.queues.get(vendor)
    if (!queue) {
      queue = []
      this.queues.set(vendor, queue)
    }
    return queue
  }
}

function sqsEvent(vendor: VendorId, batch: ReadonlyArray<QueuedItem>): SQSEvent {
  return { Records: batch.map((item) => sqsRecord(vendor, item)) }
}

function sqsRecord(vendor: VendorId, item: QueuedItem): SQSRecord {
  return {
    messageId: item.id,
    receiptHandle: `local-${item.id}-${item.receiveCount}`,
    body: item.body,
    attributes: {
      ApproximateReceiveCount: String(item.receiveCount),
      SentTimestamp: String(item.sentAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(item.sentAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(item.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:tagwarden-${vendor}`,
    awsRegion: 'local',
  }
}
