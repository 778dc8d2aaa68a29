import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { LedgerEntry } from '#shared/rights/api.ts'
import type { DeliveryLedger, LedgerRecord } from '#shared/rights/ledger.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** Every ledger item's sort key starts so; infra limits the deliverers' writes to it. */
export const LEDGER_SORT_KEY_PREFIX = 'ledger#'
/** Every attribute a ledger item has: infra lets the deliverers write these and no others. */
export const LEDGER_ITEM_ATTRIBUTES = [
  'pk',
  'sk',
  'messageId',
  'vendor',
  'event',
  'at',
  'outcome',
  'expiresAt',
] as const
/** DynamoDB's limit on requests in one BatchWriteItem call. */
const MAX_BATCH_WRITE_ITEMS = 25
/** Rounds of retrying the items DynamoDB left unprocessed (throttling) before the write fails. */
const MAX_BATCH_WRITE_ROUNDS = 4
const BATCH_WRITE_RETRY_BASE_MS = 25
const SECONDS_PER_DAY = 24 * 60 * 60
const MILLISECONDS_PER_SECOND = 1000

/** Some ledger entries could not be written (DynamoDB kept leaving them unprocessed). */
export class LedgerWriteError extends Error {
  override name = 'LedgerWriteError'
}

/** A stored ledger item that does not have the shape this adapter writes. */
export class LedgerItemError extends Error {
  override name = 'LedgerItemError'
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** One entry per message and vendor: a later outcome of the same message overwrites the earlier one. */
const sortKeyOf = (entry: LedgerEntry): string =>
  `${LEDGER_SORT_KEY_PREFIX}${entry.vendor}#${entry.messageId}`

export const ledgerItemSchema = z.object({
  pk: z.string().check(z.minLength(1)),
  sk: z.string().check(z.startsWith(LEDGER_SORT_KEY_PREFIX)),
  messageId: z.string().check(z.minLength(1)),
  vendor: z.string().check(z.minLength(1)),
  event: z.string(),
  at: z.iso.datetime(),
  outcome: z.enum(['delivered', 'withheld', 'dead-lettered']),
  expiresAt: z.int(),
})

/** The entry of a stored ledger item, or null when it has expired (TTL deletion is lazy). */
export function ledgerEntryOfItem(item: unknown, now: Date): LedgerEntry | null {
  const parsed = ledgerItemSchema.safeParse(item)
  if (!parsed.success) {
    throw new LedgerItemError('Ledger item in the consent table has an unexpected shape', {
      cause: parsed.error,
    })
  }
  const { messageId, vendor, event, at, outcome, expiresAt } = parsed.data
  if (expiresAt * MILLISECONDS_PER_SECOND <= now.getTime()) return null
  return { messageId, vendor, event, at, outcome }
}

/**
 * The delivery ledger in the consent table, under the visitor's consent key: sk
 * `ledger#<vendor>#<messageId>`, the entry's fields, and `expiresAt` (epoch seconds, the TTL) from
 * the entry's time plus `retentionDays`.
 */
export function dynamoDeliveryLedger(
  client: DynamoDBDocumentClient,
  tableName: string,
  retentionDays: number,
): DeliveryLedger {
  const itemOf = ({ consentKey, entry }: LedgerRecord): Record<string, unknown> => ({
    pk: consentKey,
    sk: sortKeyOf(entry),
    ...entry,
    expiresAt: Math.floor(Date.parse(entry.at) / MILLISECONDS_PER_SECOND) + retentionDays * SECONDS_PER_DAY,
  })

  async function writeChunk(items: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }))
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_BATCH_WRITE_ROUNDS) {
        throw new LedgerWriteError(
          `${pending.length} ledger entries stayed unprocessed after ${round} rounds`,
        )
      }
      if (round > 0) await sleep(BATCH_WRITE_RETRY_BASE_MS * 2 ** round)
      const { UnprocessedItems } = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      )
      pending = (UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      )
    }
  }

  return {
    async record(records) {
      // One batch may not put the same key twice: the last outcome of a message stands.
      const byKey = new Map<string, Record<string, unknown>>()
      for (const record of records)
        byKey.set(`${record.consentKey}\n${sortKeyOf(record.entry)}`, itemOf(record))
      const items = [...byKey.values()]
      const chunks: Array<Promise<void>> = []
      for (let first = 0; first < items.length; first += MAX_BATCH_WRITE_ITEMS) {
        chunks.push(writeChunk(items.slice(first, first + MAX_BATCH_WRITE_ITEMS)))
      }
      const failures = (await Promise.allSettled(chunks)).flatMap((result) =>
        result.status === 'rejected' ? [result.reason] : [],
      )
      if (failures.length > 0) {
        throw new LedgerWriteError(`${failures.length} of ${chunks.length} ledger writes failed`, {
          cause: failures[0],
        })
      }
    },
  }
}
