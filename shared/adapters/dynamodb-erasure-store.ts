import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { type ErasureStore, overallState } from '#shared/rights/erasure-store.ts'

export const ERASED_SORT_KEY = 'erased'
const STATUS_SORT_KEY = 'status'
const erasurePartition = (erasureId: string) => `erasure#${erasureId}`
const MILLISECONDS_PER_SECOND = 1000
/** DynamoDB's limit on requests in one BatchWriteItem call. */
const MAX_BATCH_WRITE_ITEMS = 25
/** Unprocessed deletes are sent again this many times before the erasure fails (and is asked again). */
const MAX_BATCH_WRITE_ROUNDS = 5

export class ErasureWriteError extends Error {
  override name = 'ErasureWriteError'
}

const vendorStateSchema = z.object({
  state: z.enum(['pending', 'done', 'failed', 'no-deletion-api']),
  detail: z.optional(z.string()),
})
const statusItemSchema = z.object({
  erasureId: z.string(),
  requestedAt: z.iso.datetime(),
  consentKey: z.string(),
  vendors: z.record(z.string(), vendorStateSchema),
  expiresAt: z.int(),
})
const keysSchema = z.array(z.object({ pk: z.string(), sk: z.string() }))
const tombstoneSchema = z.object({ expiresAt: z.int() })

/** Does this stored tombstone still stand at `now`? One of unexpected shape does: failing closed forwards nothing. */
export function tombstoneStands(item: unknown, now: Date): boolean {
  const parsed = tombstoneSchema.safeParse(item)
  return !parsed.success || parsed.data.expiresAt * MILLISECONDS_PER_SECOND > now.getTime()
}

/** Erasures in the consent table: the visitor's tombstone in their partition, the status under `erasure#<id>`. */
export function dynamoErasureStore(client: DynamoDBDocumentClient, tableName: string): ErasureStore {
  async function partitionKeys(consentKey: string): Promise<Array<{ pk: string; sk: string }>> {
    const keys: Array<{ pk: string; sk: string }> = []
    let startKey: Record<string, unknown> | undefined
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': consentKey },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
        }),
      )
      keys.push(...keysSchema.parse(page.Items ?? []))
      startKey = page.LastEvaluatedKey
    } while (startKey)
    return keys
  }

  async function deleteAll(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<void> {
    for (let start = 0; start < keys.length; start += MAX_BATCH_WRITE_ITEMS) {
      let requests: Array<{ DeleteRequest: { Key: Record<string, unknown> } }> = keys
        .slice(start, start + MAX_BATCH_WRITE_ITEMS)
        .map((key) => ({ DeleteRequest: { Key: key } }))
      for (let round = 0; requests.length > 0; round += 1) {
        if (round === MAX_BATCH_WRITE_ROUNDS)
          throw new ErasureWriteError('DynamoDB kept leaving deletes unprocessed')
        const answer = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }))
        requests = (answer.UnprocessedItems?.[tableName] ?? []).flatMap((item) =>
          item.DeleteRequest?.Key ? [{ DeleteRequest: { Key: item.DeleteRequest.Key } }] : [],
        )
      }
    }
  }

  return {
    async eraseVisitor(consentKey, tombstoneExpiresAt) {
      const keys = await partitionKeys(consentKey)
      await deleteAll(keys.filter((key) => key.sk !== ERASED_SORT_KEY))
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: consentKey, sk: ERASED_SORT_KEY, expiresAt: tombstoneExpiresAt },
        }),
      )
    },

    async isErased(consentKey, now) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: consentKey, sk: ERASED_SORT_KEY } }),
      )
      return Item !== undefined && tombstoneStands(Item, now)
    },

    async begin(status, consentKey, expiresAt) {
      const { state: _derived, ...fields } = status
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: erasurePartition(status.erasureId),
            sk: STATUS_SORT_KEY,
            ...fields,
            consentKey,
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
    },

    async settle(erasureId, vendor, state, detail) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: erasurePartition(erasureId), sk: STATUS_SORT_KEY },
          UpdateExpression: 'SET vendors.#vendor = :state',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#vendor': vendor },
          ExpressionAttributeValues: { ':state': detail === undefined ? { state } : { state, detail } },
        }),
      )
    },

    async read(erasureId, now) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: erasurePartition(erasureId), sk: STATUS_SORT_KEY },
        }),
      )
      if (!Item) return null
      const item = statusItemSchema.parse(Item)
      if (item.expiresAt * MILLISECONDS_PER_SECOND <= now.getTime()) return null
      const { consentKey, expiresAt: _expiresAt, ...status } = item
      return { consentKey, status: { ...status, state: overallState(status.vendors) } }
    },
  }
}
