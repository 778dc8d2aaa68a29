import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb'
import type { ConsentRecord } from '#shared/consent/model.ts'
import { CONSENT_HISTORY_KEPT, type ConsentStore } from '#shared/consent/store.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

const CURRENT_SORT_KEY = 'current'
const HISTORY_SORT_KEY_PREFIX = 'history#'
const MILLISECONDS_PER_SECOND = 1000
/** DynamoDB's limit on requests in one BatchWriteItem call. */
const MAX_BATCH_WRITE_ITEMS = 25
/** BatchGetItem takes at most 100 keys per call. */
const MAX_KEYS_PER_BATCH_GET = 100
/** Rounds of retrying the keys DynamoDB left unprocessed (throttling) before the read fails. */
const MAX_BATCH_GET_ROUNDS = 4
const BATCH_GET_RETRY_BASE_MS = 25

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
})

const historySortKey = (record: ConsentRecord): string =>
  `${HISTORY_SORT_KEY_PREFIX}${record.updatedAt}#${record.receiptId}`

function toItem(record: ConsentRecord, sk: string): Record<string, unknown> {
  const { consentKey, ...fields } = record
  return { pk: consentKey, sk, ...fields }
}

function toRecord(item: unknown): ConsentRecord {
  const parsed = consentItemSchema.safeParse(item)
  if (!parsed.success) {
    throw new ConsentItemError('Consent table item has an unexpected shape', { cause: parsed.error })
  }
  const { pk, sk: _sortKey, ...fields } = parsed.data
  return { consentKey: pk, ...fields }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** TTL deletion is lazy in AWS and absent in dynalite, so an expired item may still be read back. */
const isInForce = (record: ConsentRecord, now: Date): boolean =>
  record.expiresAt * MILLISECONDS_PER_SECOND > now.getTime()

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

  /** One BatchGetItem of up to 100 keys, strongly consistent, retrying what DynamoDB leaves unprocessed. */
  async function batchGetCurrent(consentKeys: ReadonlyArray<string>): Promise<unknown[]> {
    const items: unknown[] = []
    let pending: Array<Record<string, unknown>> = consentKeys.map((pk) => ({ pk, sk: CURRENT_SORT_KEY }))
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_BATCH_GET_ROUNDS) {
        throw new ConsentReadError(`${pending.length} consent keys stayed unprocessed after ${round} rounds`)
      }
      if (round > 0) await sleep(BATCH_GET_RETRY_BASE_MS * 2 ** round)
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      )
      items.push(...(Responses?.[tableName] ?? []))
      pending = UnprocessedKeys?.[tableName]?.Keys ?? []
    }
    return items
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
      for (let first = 0; first < consentKeys.length; first += MAX_KEYS_PER_BATCH_GET) {
        const keys = consentKeys.slice(first, first + MAX_KEYS_PER_BATCH_GET)
        for (const item of await batchGetCurrent(keys)) {
          const record = toRecord(item)
          if (isInForce(record, now)) found.set(record.consentKey, record)
        }
      }
      return found
    },

    async history(consentKey, now) {
      const items = await historyItems(consentKey, { keysOnly: false, newestFirst: false })
      return items.map(toRecord).filter((record) => isInForce(record, now))
    },
  }
}
