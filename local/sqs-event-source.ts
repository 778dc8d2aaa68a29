import { createHash } from 'node:crypto'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { lambdaContext } from './lambda-context.ts'
import type { ReceivedMessage } from './sqs-queue.ts'

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>

export interface EventSourceSettings {
  /** Messages per invocation (the vendor's batch size). */
  batchSize: number
  /** Invocations at once (the event source mapping's maximum concurrency). */
  concurrency: number
  /** The deliverer's function timeout: an invocation still running then is abandoned. */
  functionTimeoutMs: number
  /** How long a received message stays invisible (the queue's visibility timeout). */
  visibilityTimeoutMs: number
  /** How long an idle poller waits before looking again when nothing arrives (long polling). */
  idlePollMs: number
}

/** What the event source needs of its queue. */
export interface BatchSource {
  receive(max: number, visibilityTimeoutMs: number): ReceivedMessage[]
  delete(receiptHandles: ReadonlyArray<string>): void
  abandon(receiptHandles: ReadonlyArray<string>): void
  /** Resolves when a message may have become receivable, or after `ms`. */
  waitForMessages(ms: number): Promise<void>
}

/**
 * Lambda's SQS event source mapping for one vendor, in process: `concurrency` pollers each receive a
 * batch, invoke the handler and receive again as soon as it returns. Records not named in
 * `batchItemFailures` are deleted with this receive's handles; a handler that throws deletes
 * nothing (the batch returns after the visibility timeout); an invocation that outlives the function
 * timeout is abandoned as Lambda stops it: its handles are dropped, so its late completion deletes
 * nothing and the messages are received again once their visibility timeout ends.
 */
export class SqsEventSource {
  private running = false
  private pollers: Promise<void>[] = []
  private readonly invocations = new Set<Promise<void>>()

  constructor(
    private readonly name: string,
    private readonly queueArn: string,
    private readonly source: BatchSource,
    private readonly handler: SqsHandler,
    private readonly settings: EventSourceSettings,
    private readonly print: (line: string) => void,
  ) {}

  /** Invocations running and not abandoned. */
  get busy(): boolean {
    return this.invocations.size > 0
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.pollers = Array.from({ length: this.settings.concurrency }, () => this.poll())
  }

  /** Stops receiving and waits for running invocations, at most until their function timeout. */
  async stop(): Promise<void> {
    this.running = false
    await Promise.all(this.pollers)
    this.pollers = []
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const batch = this.source.receive(this.settings.batchSize, this.settings.visibilityTimeoutMs)
      if (batch.length === 0) {
        await this.source.waitForMessages(this.settings.idlePollMs)
        continue
      }
      const invocation = this.invoke(batch)
      this.invocations.add(invocation)
      try {
        await invocation
      } finally {
        this.invocations.delete(invocation)
      }
    }
  }

  private async invoke(batch: ReadonlyArray<ReceivedMessage>): Promise<void> {
    const event: SQSEvent = { Records: batch.map((message) => sqsRecord(this.queueArn, message)) }
    const handles = batch.map((message) => message.receiptHandle)
    const result = await withTimeout(
      () => this.handler(event, lambdaContext(this.name, this.settings.functionTimeoutMs)),
      this.settings.functionTimeoutMs,
    )
    if (result.kind === 'timed-out') {
      this.source.abandon(handles)
      this.print(
        `[queue] ${this.name} timed out after ${this.settings.functionTimeoutMs} ms; its ${batch.length} messages return after the visibility timeout`,
      )
      return
    }
    if (result.kind === 'threw') {
      this.print(
        `[queue] ${this.name} failed, its ${batch.length} messages return after the visibility timeout: ${String(result.error)}`,
      )
      return
    }
    const failed = new Set(result.value?.batchItemFailures.map((failure) => failure.itemIdentifier))
    const known = new Set(batch.map((message) => message.id))
    // Lambda fails the whole batch when a partial batch response names a record it did not send.
    if ([...failed].some((id) => !known.has(id))) {
      this.print(`[queue] ${this.name} named unknown records as failed; the whole batch is retried`)
      return
    }
    this.source.delete(
      batch.filter((message) => !failed.has(message.id)).map((message) => message.receiptHandle),
    )
  }
}

type Settled<T> = { kind: 'returned'; value: T } | { kind: 'threw'; error: unknown } | { kind: 'timed-out' }

async function withTimeout<T>(run: () => Promise<T>, timeoutMs: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timed-out' }), timeoutMs)
  })
  const settled = Promise.resolve()
    .then(run)
    .then(
      (value): Settled<T> => ({ kind: 'returned', value }),
      (error: unknown): Settled<T> => ({ kind: 'threw', error }),
    )
  try {
    return await Promise.race([settled, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

function sqsRecord(queueArn: string, message: ReceivedMessage): SQSRecord {
  return {
    messageId: message.id,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'local',
  }
}
