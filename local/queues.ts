import { randomUUID } from 'node:crypto'
import {
  type DeadLetters,
  isErasureMessage,
  type QueueDispatch,
  type QueueMessage,
} from '#shared/delivery/message.ts'
import { MAX_REDELIVERY_DELAY_SECONDS, type Redelivery } from '#shared/delivery/redelivery.ts'
import {
  DEFAULT_MAX_RECEIVE_COUNT,
  delivererTimeoutSeconds,
  visibilityTimeoutSeconds,
} from '#shared/delivery/timing.ts'
import { VENDOR_IDS, type VendorId } from '#shared/vendors/index.ts'
import type { Outbox } from './outbox.ts'
import { type JournalRecord, QueueJournal } from './queue-journal.ts'
import { type EventSourceSettings, SqsEventSource, type SqsHandler } from './sqs-event-source.ts'
import { SqsQueue, type StoredMessage } from './sqs-queue.ts'

export interface LocalQueueSettings extends EventSourceSettings {
  /** Receives before the redrive policy moves a message to the vendor's dead-letter list. */
  maxReceiveCount: number
  /** How long one second of a ChangeMessageVisibility delay lasts here (1000; tests shorten it). */
  redeliverySecondMs: number
}

/** GA4's per-request event limit, the deployed event source's batch size. */
const DEFAULT_BATCH_SIZE = 25
/** Concurrent batches per vendor; the deployed event source's default maximum concurrency is 2. */
const DEFAULT_CONCURRENT_BATCHES = 2
/** The local queues have no batching window: a poller receives again as soon as its batch is done. */
const LOCAL_BATCHING_WINDOW_SECONDS = 0
const IDLE_POLL_MS = 100
const MS_PER_SECOND = 1000

/** The deployed queue's timings for a vendor request timeout (shared/delivery/timing.ts), as local settings. */
export function queueSettingsFor(requestTimeoutMs: number): LocalQueueSettings {
  const timeoutSeconds = delivererTimeoutSeconds(requestTimeoutMs)
  return {
    batchSize: DEFAULT_BATCH_SIZE,
    concurrency: DEFAULT_CONCURRENT_BATCHES,
    functionTimeoutMs: timeoutSeconds * MS_PER_SECOND,
    visibilityTimeoutMs:
      visibilityTimeoutSeconds(timeoutSeconds, LOCAL_BATCHING_WINDOW_SECONDS) * MS_PER_SECOND,
    idlePollMs: IDLE_POLL_MS,
    maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
    redeliverySecondMs: MS_PER_SECOND,
  }
}

export interface DeadLetter {
  vendor: string
  id: string
  reason: string
  at: string
  body: string
}

interface VendorQueue {
  queue: SqsQueue
  settings: LocalQueueSettings
  wakers: Set<() => void>
  source?: SqsEventSource
}

/**
 * In-process stand-in for the per-vendor SQS queues, their DLQs and Lambda's event sources: messages
 * are stored as JSON text exactly as SQS would, each vendor's deliverer is driven with SQS-shaped
 * batches, and, with a journal, every change is on disk so a restart resumes delivery.
 */
export class LocalQueues implements QueueDispatch {
  private readonly vendors = new Map<VendorId, VendorQueue>()
  private readonly parked: DeadLetter[] = []
  private journal: QueueJournal | undefined
  private started = false

  constructor(
    private readonly outbox: Outbox,
    private readonly print: (line: string) => void,
    private readonly settingsFor: (vendor: VendorId) => LocalQueueSettings,
  ) {}

  /** Restores what an earlier run left at `path` (queued and dead-lettered messages) and journals every change there. */
  async persistTo(path: string): Promise<void> {
    for (const record of QueueJournal.read(path, this.print)) {
      const vendor = this.vendorOf(record.queue)
      if (!vendor) continue
      if (record.op === 'send') vendor.queue.send(record)
      else if (record.op === 'receive') vendor.queue.restoreReceives(record.ids)
      else if (record.op === 'delete') vendor.queue.remove(record.ids)
      else if (record.op === 'redrive') this.moveBack(record.queue, vendor, record.moves)
      else {
        vendor.queue.remove([record.id])
        const { id, body, reason, at } = record
        this.parked.push({ vendor: record.queue, id, body, reason, at })
      }
    }
    this.journal = await QueueJournal.open(path, () => this.snapshot())
    const queued = [...this.vendors.values()].reduce((sum, vendor) => sum + vendor.queue.size, 0)
    if (queued > 0 || this.parked.length > 0)
      this.print(
        `[queue] resumed ${queued} queued and ${this.parked.length} dead-lettered messages from ${path}`,
      )
  }

  async enqueue(vendor: VendorId, messages: ReadonlyArray<QueueMessage>): Promise<void> {
    const target = this.vendor(vendor)
    const now = Date.now()
    const written: Array<Promise<void>> = []
    for (const message of messages) {
      const stored: StoredMessage = {
        id: randomUUID(),
        body: JSON.stringify(message),
        sentAt: now,
        receiveCount: 0,
      }
      target.queue.send(stored)
      // An erasure request may carry the admin's e-mail: it is not listed with the queued events.
      if (!isErasureMessage(message)) this.outbox.queued.push(message)
      if (this.journal) written.push(this.journal.append({ op: 'send', queue: vendor, ...stored }))
    }
    for (const wake of target.wakers) wake()
    await Promise.all(written)
  }

  /** The vendor's DLQ: where the deliverer parks messages that must not be retried. */
  deadLetters(vendor: VendorId): DeadLetters {
    return {
      park: async (message, reason) =>
        this.park(vendor, { id: randomUUID(), body: JSON.stringify(message) }, reason),
    }
  }

  /** ChangeMessageVisibility on the vendor's queue, by receipt handle, as SQS does it. */
  redelivery(vendor: VendorId): Redelivery {
    return {
      delay: async (records) => {
        const { queue, settings, wakers } = this.vendor(vendor)
        for (const record of records) {
          const seconds = Math.min(Math.max(0, record.delaySeconds), MAX_REDELIVERY_DELAY_SECONDS)
          const change = queue.changeVisibility(record.receiptHandle, seconds * settings.redeliverySecondMs)
          if (change !== 'changed')
            this.print(`[queue] ${vendor}: visibility of ${record.recordId} not changed (${change})`)
        }
        for (const wake of wakers) wake()
      },
    }
  }

  /** Every message dead-lettered so far (redriven after maxReceiveCount, or parked by the deliverer). */
  deadLettered(vendor?: VendorId): ReadonlyArray<DeadLetter> {
    return vendor ? this.parked.filter((letter) => letter.vendor === vendor) : this.parked
  }

  /** The vendor's queue as SQS's attributes would tell it, and its dead letters. */
  status(vendor: VendorId): {
    visible: number
    inFlight: number
    oldestSentAt: number | undefined
    deadLetters: number
  } {
    const counts = this.vendors.get(vendor)?.queue.counts() ?? {
      visible: 0,
      inFlight: 0,
      oldestSentAt: undefined,
    }
    return { ...counts, deadLetters: this.deadLettered(vendor).length }
  }

  /**
   * Moves every dead letter of the vendor back to its queue as a fresh message (same body, never
   * received), as an SQS message move task does; journalled before it resolves, like an enqueue.
   */
  async redrive(vendor: VendorId): Promise<number> {
    const target = this.vendor(vendor)
    const sentAt = Date.now()
    const moves = this.deadLettered(vendor).map((letter) => ({
      deadLetterId: letter.id,
      id: randomUUID(),
      sentAt,
    }))
    if (moves.length === 0) return 0
    this.moveBack(vendor, target, moves)
    for (const wake of target.wakers) wake()
    await this.journal?.append({ op: 'redrive', queue: vendor, moves })
    return moves.length
  }

  /** Messages in the vendor's queue, visible or in flight. */
  size(vendor: VendorId): number {
    return this.vendors.get(vendor)?.queue.size ?? 0
  }

  consume(vendor: VendorId, handler: SqsHandler): void {
    const target = this.vendor(vendor)
    target.source = new SqsEventSource(
      `tagwarden-deliver-${vendor}`,
      `arn:aws:sqs:local:000000000000:tagwarden-${vendor}`,
      {
        receive: (max, visibilityTimeoutMs) => this.receive(vendor, max, visibilityTimeoutMs),
        delete: (handles) => this.delete(vendor, handles),
        abandon: (handles) => {
          for (const handle of handles) target.queue.abandon(handle)
        },
        waitForMessages: (ms) => this.waitForMessages(target, ms),
      },
      handler,
      target.settings,
      this.print,
    )
    if (this.started) target.source.start()
  }

  start(): void {
    this.started = true
    for (const { source } of this.vendors.values()) source?.start()
  }

  /** Stops receiving and waits for running deliveries (each at most its function timeout). */
  async stop(): Promise<void> {
    this.started = false
    const stopping = [...this.vendors.values()].map((vendor) => vendor.source?.stop())
    for (const vendor of this.vendors.values()) for (const wake of vendor.wakers) wake()
    await Promise.all(stopping)
  }

  /** Stops, then waits for the journal to be written and closes it. */
  async close(): Promise<void> {
    await this.stop()
    await this.journal?.close()
    this.journal = undefined
  }

  /** Resolves once every queue is empty and no batch is being delivered (for tests). */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const busy = () =>
      [...this.vendors.values()].some((vendor) => vendor.queue.size > 0 || vendor.source?.busy)
    while (busy()) {
      if (Date.now() > deadline) throw new Error('local queues did not drain in time')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  private receive(vendor: VendorId, max: number, visibilityTimeoutMs: number) {
    const { queue, settings } = this.vendor(vendor)
    const received = queue.receive(max, visibilityTimeoutMs, (message) =>
      this.park(
        vendor,
        message,
        `received ${message.receiveCount} times (maxReceiveCount ${settings.maxReceiveCount})`,
      ),
    )
    if (received.length > 0)
      this.journalInBackground({ op: 'receive', queue: vendor, ids: received.map((m) => m.id) })
    return received
  }

  private delete(vendor: VendorId, receiptHandles: ReadonlyArray<string>): void {
    const { queue } = this.vendor(vendor)
    const ids = receiptHandles.flatMap((handle) => queue.delete(handle) ?? [])
    if (ids.length > 0) this.journalInBackground({ op: 'delete', queue: vendor, ids })
  }

  private park(vendor: VendorId, message: Pick<StoredMessage, 'id' | 'body'>, reason: string): void {
    const letter: DeadLetter = {
      vendor,
      id: message.id,
      body: message.body,
      reason,
      at: new Date().toISOString(),
    }
    this.parked.push(letter)
    this.outbox.parked.push({ vendor, reason, message: parseBody(message.body) })
    this.print(`[dlq] ${vendor}: ${reason}`)
    this.journalInBackground({
      op: 'dead-letter',
      queue: vendor,
      id: letter.id,
      body: letter.body,
      reason,
      at: letter.at,
    })
  }

  private moveBack(
    vendor: string,
    target: VendorQueue,
    moves: ReadonlyArray<{ deadLetterId: string; id: string; sentAt: number }>,
  ): void {
    const moveOf = new Map(moves.map((move) => [move.deadLetterId, move]))
    let kept = 0
    for (const letter of this.parked) {
      const move = letter.vendor === vendor ? moveOf.get(letter.id) : undefined
      if (move) target.queue.send({ id: move.id, body: letter.body, sentAt: move.sentAt, receiveCount: 0 })
      else this.parked[kept++] = letter
    }
    this.parked.length = kept
  }

  /** Receives, deletions and dead letters need not wait for the disk: losing one in a crash means a redelivery. */
  private journalInBackground(record: JournalRecord): void {
    this.journal
      ?.append(record)
      .catch((error: unknown) => this.print(`[queue] journal write failed: ${String(error)}`))
  }

  private waitForMessages(target: VendorQueue, ms: number): Promise<void> {
    if (!this.started || target.queue.hasVisible) return Promise.resolve()
    const untilVisible = target.queue.nextVisibilityAt - Date.now()
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        target.wakers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, Math.max(0, Math.min(ms, untilVisible)))
      target.wakers.add(wake)
    })
  }

  private snapshot(): JournalRecord[] {
    const records: JournalRecord[] = []
    for (const [vendor, { queue }] of this.vendors)
      for (const message of queue.stored()) records.push({ op: 'send', queue: vendor, ...message })
    for (const { vendor, id, body, reason, at } of this.parked)
      records.push({ op: 'dead-letter', queue: vendor, id, body, reason, at })
    return records
  }

  private vendorOf(name: string): VendorQueue | undefined {
    const vendor = VENDOR_IDS.find((id) => id === name)
    return vendor ? this.vendor(vendor) : undefined
  }

  private vendor(vendor: VendorId): VendorQueue {
    let target = this.vendors.get(vendor)
    if (!target) {
      const settings = this.settingsFor(vendor)
      target = { queue: new SqsQueue(settings.maxReceiveCount), settings, wakers: new Set() }
      this.vendors.set(vendor, target)
    }
    return target
  }
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}
