import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb'
import type { ConsentRecord } from '#shared/consent/model.ts'
import { CONSENT_HISTORY_KEPT, type ConsentStore } from '#shared/consent/store.ts'
import { batchGetAll } from './dynamodb-batch-get.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The decision in force (exported for readers that batch it with other items of the visitor). */
export const CURRENT_SORT_KEY = 'current'
const HISTORY_SORT_KEY_PREFIX = 'history#'
const MILLISECONDS_PER_SECOND = 1000
/** DynamoDB's limit on requests in one BatchWriteItem call. */
const MAX_BATCH_WRITE_ITEMS = 25

/** DynamoDB kept leaving keys unprocessed: the read failed and the caller should be retried. */
export class ConsentReadError extends Error {
  override name = 'ConsentReadError'
}

/** A stored item that does not have the shape this adapter writes: the table is corrupt or shared. */
export class ConsentItemError extends Error {
  override name = 'ConsentItemError'
}

const consentItemSchema = z.object({
  pk: z.string().check(z.minLength(1)),
  sk: z.string().check(z.minLength(1)),
  purposes: z.strictObject({ analytics: z.boolean(), marketing: z.boolean() }),
  policyVersion: z.string(),
  receiptId: z.string().check(z.minLength(1)),
  updatedAt: z.iso.datetime(),
  expiresAt: z.int(),
  objectedTo: z.optional(z.string()),
  tokenNonce: z.optional(z.string()),
})

const historySortKey = (record: ConsentRecord): string =>
  `${HISTORY_SORT_KEY_PREFIX}${record.updatedAt}#${record.receiptId}`

function toItem(record: ConsentRecord, sk: string): Record<string, unknown> {
  const { consentKey, ...fields } = record
  return { pk: consentKey, sk, ...fields }
}

export function toRecord(item: unknown): ConsentRecord {
  const parsed = consentItemSchema.safeParse(item)
  if (!parsed.success) {
    throw new ConsentItemError('Consent table item has an unexpected shape', { cause: parsed.error })
  }
  const { pk, sk: _sortKey, ...fields } = parsed.data
  return { consentKey: pk, ...fields }
}

/** TTL deletion is lazy in AWS and absent in dynalite, so an expired item may still be read back. */
const isInForce = (record: ConsentRecord, now: Date): boolean =>
  record.expiresAt * MILLISECONDS_PER_SECOND > now.getTime()

/** A `current` item read by another adapter of the table: the decision, or null when expired at `now`. */
export function consentInForce(item: unknown, now: Date): ConsentRecord | null {
  const record = toRecord(item)
  return isInForce(record, now) ? record : null
}

/**
 * Consent decisions in one DynamoDB table (layout in dynamodb-tables.ts): the decision in force under
 * sk `current`, and every decision under sk `history#<updatedAt>#<receiptId>`, so history sorts by time.
 */
export function dynamoConsentStore(client: DynamoDBDocumentClient, tableName: string): ConsentStore {
  async function writeCurrent(record: ConsentRecord): Promise<void> {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: toItem(record, CURRENT_SORT_KEY),
          // Two racing decisions: the later one stays current, whichever write lands last.
          ConditionExpression: 'attribute_not_exists(pk) OR updatedAt <= :updatedAt',
          ExpressionAttributeValues: { ':updatedAt': record.updatedAt },
        }),
      )
    } catch (error) {
      // A newer decision is already current; this one is still kept in the history.
      if (error instanceof ConditionalCheckFailedException) return
      throw error
    }
  }

  /** Every history item of the visitor, page by page, strongly consistent. */
  async function historyItems(
    consentKey: string,
    options: { keysOnly: boolean; newestFirst: boolean },
  ): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = []
    let startKey: Record<string, unknown> | undefined
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': consentKey, ':prefix': HISTORY_SORT_KEY_PREFIX },
          ...(options.keysOnly ? { ProjectionExpression: 'sk' } : {}),
          ScanIndexForward: !options.newestFirst,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      )
      items.push(...(page.Items ?? []))
      startKey = page.LastEvaluatedKey
    } while (startKey)
    return items
  }

  /** The sort keys of the visitor's history, newest first (keys only: bounded by the pruning itself). */
  async function historyKeysNewestFirst(consentKey: string): Promise<string[]> {
    const items = await historyItems(consentKey, { keysOnly: true, newestFirst: true })
    return items.flatMap((item) => (typeof item.sk === 'string' ? [item.sk] : []))
  }

  /**
   * Deletes history beyond the newest CONSENT_HISTORY_KEPT entries. Whatever a crash or an unprocessed
   * batch leaves behind, the next decision's pruning removes, as it deletes everything past the limit.
   */
  async function pruneHistory(consentKey: string): Promise<void> {
    const stale = (await historyKeysNewestFirst(consentKey)).slice(CONSENT_HISTORY_KEPT)
    for (let start = 0; start < stale.length; start += MAX_BATCH_WRITE_ITEMS) {
      const deletes = stale.slice(start, start + MAX_BATCH_WRITE_ITEMS).map((sk) => ({
        DeleteRequest: { Key: { pk: consentKey, sk } },
      }))
      await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: deletes } }))
    }
  }

  return {
    async record(record) {
      // History first: dynalite has no transactions, and a current decision without proof is worse
      // than proof of a decision that did not become current.
      await client.send(
        new PutCommand({ TableName: tableName, Item: toItem(record, historySortKey(record)) }),
      )
      await writeCurrent(record)
      await pruneHistory(record.consentKey)
    },

    async current(consentKey, now) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: consentKey, sk: CURRENT_SORT_KEY },
          ConsistentRead: true,
        }),
      )
      if (!Item) return null
      const record = toRecord(Item)
      return isInForce(record, now) ? record : null
    },

    async currentMany(consentKeys, now) {
      const found = new Map<string, ConsentRecord | null>(consentKeys.map((key) => [key, null]))
      const keys = consentKeys.map((pk) => ({ pk, sk: CURRENT_SORT_KEY }))
      const items = await batchGetAll(client, tableName, keys, (message) => new ConsentReadError(message))
      for (const item of items) {
        const record = toRecord(item)
        if (isInForce(record, now)) found.set(record.consentKey, record)
      }
      return found
    },

    async history(consentKey, now) {
      const items = await historyItems(consentKey, { keysOnly: false, newestFirst: false })
      return items.map(toRecord).filter((record) => isInForce(record, now))
    },
  }
}
