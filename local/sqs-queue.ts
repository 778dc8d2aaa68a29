import { randomUUID } from 'node:crypto'

/** A message as stored: what survives a restart. */
export interface StoredMessage {
  id: string
  body: string
  /** Epoch ms. */
  sentAt: number
  receiveCount: number
  /** Epoch ms of the first receive, once received. */
  firstReceiveAt?: number
}

/** One receive of a message, as SQS's ReceiveMessage answers it. */
export interface ReceivedMessage extends Readonly<Required<StoredMessage>> {
  /** Valid until the message is received again; deleting or changing visibility needs the newest one. */
  receiptHandle: string
}

export type VisibilityChange = 'changed' | 'stale-receipt-handle' | 'not-in-flight'

interface HeldMessage extends StoredMessage {
  /** Epoch ms from which the message may be received again. */
  visibleAt: number
  receiptHandle?: string
}

/**
 * One SQS standard queue in memory, with SQS's semantics: a received message is invisible until its
 * visibility timeout ends; each receive issues a new receipt handle and only the newest deletes the
 * message or changes its visibility (a stale one does nothing); the receive count grows with each
 * receive; and a message received `maxReceiveCount` times is moved to the dead-letter queue by the
 * redrive policy when it would be received once more.
 */
export class SqsQueue {
  private readonly messages = new Map<string, HeldMessage>()
  /** Visible messages, oldest first. */
  private readonly visible = new Set<string>()
  private readonly invisible = new Set<string>()
  private readonly idByReceiptHandle = new Map<string, string>()
  private nextVisibleAt = Number.POSITIVE_INFINITY

  constructor(
    private readonly maxReceiveCount: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Messages in the queue, visible or in flight (SQS's ApproximateNumberOfMessages + …NotVisible). */
  get size(): number {
    return this.messages.size
  }

  /**
   * What SQS's queue attributes and CloudWatch would tell: messages receivable now, messages in flight
   * (received, or set to come back later), and the send time of the oldest (undefined when empty).
   */
  counts(): { visible: number; inFlight: number; oldestSentAt: number | undefined } {
    this.revealExpired()
    let oldestSentAt: number | undefined
    for (const message of this.messages.values())
      if (oldestSentAt === undefined || message.sentAt < oldestSentAt) oldestSentAt = message.sentAt
    return { visible: this.visible.size, inFlight: this.messages.size - this.visible.size, oldestSentAt }
  }

  /** Epoch ms at which the next in-flight message becomes visible, if any. */
  get nextVisibilityAt(): number {
    return this.nextVisibleAt
  }

  get hasVisible(): boolean {
    this.revealExpired()
    return this.visible.size > 0
  }

  send(message: StoredMessage): void {
    if (this.messages.has(message.id)) return
    this.messages.set(message.id, { ...message, visibleAt: this.now() })
    this.visible.add(message.id)
  }

  /**
   * Receives up to `max` visible messages and hides them for `visibilityTimeoutMs`. Messages already
   * received `maxReceiveCount` times are handed to `redrive` (and leave this queue) instead.
   */
  receive(
    max: number,
    visibilityTimeoutMs: number,
    redrive: (message: StoredMessage) => void,
  ): ReceivedMessage[] {
    this.revealExpired()
    const now = this.now()
    const received: ReceivedMessage[] = []
    for (const id of this.visible) {
      if (received.length >= max) break
      const message = this.messages.get(id)
      this.visible.delete(id)
      if (!message) continue
      this.forgetReceiptHandle(message)
      if (message.receiveCount >= this.maxReceiveCount) {
        this.messages.delete(id)
        redrive(stored(message))
        continue
      }
      message.receiveCount++
      message.firstReceiveAt ??= now
      message.receiptHandle = `${id}:${message.receiveCount}:${randomUUID()}`
      message.visibleAt = now + visibilityTimeoutMs
      this.idByReceiptHandle.set(message.receiptHandle, id)
      this.hide(message)
      received.push({
        id,
        body: message.body,
        sentAt: message.sentAt,
        receiveCount: message.receiveCount,
        firstReceiveAt: message.firstReceiveAt,
        receiptHandle: message.receiptHandle,
      })
    }
    return received
  }

  /** SQS DeleteMessage: the id of the deleted message, or undefined for a stale handle (which deletes nothing). */
  delete(receiptHandle: string): string | undefined {
    const id = this.idByReceiptHandle.get(receiptHandle)
    if (id === undefined) return undefined
    this.idByReceiptHandle.delete(receiptHandle)
    this.messages.delete(id)
    this.visible.delete(id)
    this.invisible.delete(id)
    return id
  }

  /** SQS ChangeMessageVisibility: the message becomes visible `timeoutMs` from now. */
  changeVisibility(receiptHandle: string, timeoutMs: number): VisibilityChange {
    const id = this.idByReceiptHandle.get(receiptHandle)
    const message = id === undefined ? undefined : this.messages.get(id)
    if (!message) return 'stale-receipt-handle'
    const now = this.now()
    if (message.visibleAt <= now) return 'not-in-flight'
    message.visibleAt = now + timeoutMs
    this.nextVisibleAt = Math.min(this.nextVisibleAt, message.visibleAt)
    return 'changed'
  }

  /**
   * The receiver is gone (a timed-out invocation is stopped by Lambda): its handle can no longer act.
   * The message stays invisible until its visibility timeout, then is received again.
   */
  abandon(receiptHandle: string): void {
    this.idByReceiptHandle.delete(receiptHandle)
  }

  /** Replays receives an earlier run journalled; after a restart the messages are visible at once. */
  restoreReceives(ids: ReadonlyArray<string>): void {
    for (const id of ids) {
      const message = this.messages.get(id)
      if (!message) continue
      message.receiveCount++
      message.firstReceiveAt ??= this.now()
    }
  }

  /** Removes messages without a receipt handle (replaying deletions and dead letters). */
  remove(ids: ReadonlyArray<string>): void {
    for (const id of ids) {
      const message = this.messages.get(id)
      if (message) this.forgetReceiptHandle(message)
      this.messages.delete(id)
      this.visible.delete(id)
      this.invisible.delete(id)
    }
  }

  /** Everything stored, for a snapshot. */
  stored(): StoredMessage[] {
    return [...this.messages.values()].map(stored)
  }

  private hide(message: HeldMessage): void {
    this.invisible.add(message.id)
    this.nextVisibleAt = Math.min(this.nextVisibleAt, message.visibleAt)
  }

  private forgetReceiptHandle(message: HeldMessage): void {
    if (message.receiptHandle !== undefined) this.idByReceiptHandle.delete(message.receiptHandle)
    delete message.receiptHandle
  }

  private revealExpired(): void {
    const now = this.now()
    if (now < this.nextVisibleAt) return
    let next = Number.POSITIVE_INFINITY
    for (const id of this.invisible) {
      const message = this.messages.get(id)
      if (!message) {
        this.invisible.delete(id)
      } else if (message.visibleAt <= now) {
        this.invisible.delete(id)
        this.visible.add(id)
      } else {
        next = Math.min(next, message.visibleAt)
      }
    }
    this.nextVisibleAt = next
  }
}

function stored(message: HeldMessage): StoredMessage {
  return {
    id: message.id,
    body: message.body,
    sentAt: message.sentAt,
    receiveCount: message.receiveCount,
    ...(message.firstReceiveAt === undefined ? {} : { firstReceiveAt: message.firstReceiveAt }),
  }
}
