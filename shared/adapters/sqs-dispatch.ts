import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { QueueDispatch, QueueMessage } from '#shared/delivery/message.ts'
import type { VendorId } from '#shared/vendors/index.ts'

/** SendMessageBatch takes at most 10 entries. */
export const SQS_MAX_BATCH_ENTRIES = 10
/** Sum of the bodies in one SendMessageBatch (and the most one message may hold). */
export const SQS_MAX_BATCH_BYTES = 256 * 1024

/** What SQS refuses in a message body (it allows #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000+). */
const OUTSIDE_SQS_BODY_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/g

/**
 * A message as SQS-safe JSON. Characters SQS refuses (U+FFFE, U+FFFF) become JSON escapes, which parse
 * back to the same text; surrogate pairs are escaped too, as local SQS stand-ins refuse them.
 */
export function sqsMessageBody(message: unknown): string {
  return JSON.stringify(message).replace(
    OUTSIDE_SQS_BODY_CHARS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** A message could not be put on a queue. The collector answers 5xx and the client sends again. */
export class EnqueueError extends Error {
  override name = 'EnqueueError'
}

/** Puts vendor messages on each vendor's SQS queue, in as few SendMessageBatch calls as the limits allow. */
export function sqsDispatch(client: SQSClient, queueUrls: Partial<Record<VendorId, string>>): QueueDispatch {
  return {
    async enqueue(vendor, messages) {
      if (messages.length === 0) return
      const queueUrl = queueUrls[vendor]
      if (!queueUrl) throw new EnqueueError(`No queue configured for ${vendor}`)
      await Promise.all(batchesOf(messages).map((entries) => sendBatch(client, queueUrl, vendor, entries)))
    },
  }
}

function batchesOf(messages: ReadonlyArray<QueueMessage>): SendMessageBatchRequestEntry[][] {
  const batches: Array<{ entries: SendMessageBatchRequestEntry[]; bytes: number }> = []
  for (const message of messages) {
    const body = sqsMessageBody(message)
    const bytes = Buffer.byteLength(body, 'utf8')
    if (bytes > SQS_MAX_BATCH_BYTES) {
      throw new EnqueueError(`Message ${message.messageId} is ${bytes} bytes, over the SQS limit`)
    }
    const current = batches.at(-1)
    if (
      current &&
      current.entries.length < SQS_MAX_BATCH_ENTRIES &&
      current.bytes + bytes <= SQS_MAX_BATCH_BYTES
    ) {
      current.entries.push({ Id: `m${current.entries.length}`, MessageBody: body })
      current.bytes += bytes
    } else {
      batches.push({ entries: [{ Id: 'm0', MessageBody: body }], bytes })
    }
  }
  return batches.map((batch) => batch.entries)
}

/**
 * Entries SQS failed on its side (not a sender fault) are sent again, alone, before giving up: each
 * failure that reaches the collector makes the client resend its whole batch, duplicating the entries
 * that did go through.
 */
const SERVER_FAULT_RETRIES = 2

async function sendBatch(
  client: SQSClient,
  queueUrl: string,
  vendor: VendorId,
  entries: SendMessageBatchRequestEntry[],
): Promise<void> {
  let pending = entries
  for (let attempt = 0; ; attempt++) {
    const { Failed = [] } = await client.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }),
    )
    if (Failed.length === 0) return
    const retryable = Failed.every((failure) => !failure.SenderFault)
    if (!retryable || attempt >= SERVER_FAULT_RETRIES) {
      const codes = [...new Set(Failed.map((failure) => failure.Code ?? 'unknown'))].join(', ')
      throw new EnqueueError(
        `${Failed.length} of ${entries.length} messages not queued for ${vendor} (${codes})`,
      )
    }
    const failedIds = new Set(Failed.map((failure) => failure.Id))
    pending = pending.filter((entry) => failedIds.has(entry.Id))
  }
}
