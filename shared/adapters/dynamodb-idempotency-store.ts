import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { IdempotencyStore } from '#shared/ingest/idempotency.ts'

/** DynamoDB's limit on keys in one BatchGetItem call. */
export const MAX_BATCH_GET_KEYS = 100
/** BatchGetItem may leave keys unprocessed under throttling; past this many rounds the request fails (5xx). */
const MAX_BATCH_GET_ROUNDS = 4
const QUEUED_SORT_KEY = 'queued'

/** The table left keys unread after every retry: the collector answers 5xx and the client resends. */
export class IdempotencyReadError extends Error {
  override name = 'IdempotencyReadError'
}

/**
 * Queued marks in a DynamoDB table (layout in dynamodb-tables.ts): pk `<siteId>#<messageId>`, so marks
 * spread over partitions, sk `queued`, the visitor's consent key, and `expiresAt` as TTL.
 */
export function dynamoIdempotencyStore(client: DynamoDBDocumentClient, tableName: string): IdempotencyStore {
  const keyOf = (siteId: string, messageId: string) => ({ pk: `${siteId}#${messageId}`, sk: QUEUED_SORT_KEY })

  async function readChunk(siteId: string, messageIds: ReadonlyArray<string>): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    const byPk = new Map(messageIds.map((messageId) => [keyOf(siteId, messageId).pk, messageId]))
    let keys: Array<Record<string, unknown>> = messageIds.map((messageId) => keyOf(siteId, messageId))
    for (let round = 0; keys.length > 0; round += 1) {
      if (round === MAX_BATCH_GET_ROUNDS)
        throw new IdempotencyReadError(`${keys.length} idempotency keys left unread after ${round} rounds`)
      const answer = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'pk, consentKey' },
          },
        }),
      )
      for (const item of answer.Responses?.[tableName] ?? []) {
        const messageId = typeof item.pk === 'string' ? byPk.get(item.pk) : undefined
        if (messageId !== undefined && typeof item.consentKey === 'string')
          found.set(messageId, item.consentKey)
      }
      keys = answer.UnprocessedKeys?.[tableName]?.Keys ?? []
    }
    return found
  }

  return {
    async queuedBy(siteId, messageIds) {
      const chunks: Array<ReadonlyArray<string>> = []
      for (let start = 0; start < messageIds.length; start += MAX_BATCH_GET_KEYS)
        chunks.push(messageIds.slice(start, start + MAX_BATCH_GET_KEYS))
      const found = await Promise.all(chunks.map((chunk) => readChunk(siteId, chunk)))
      return new Map(found.flatMap((chunk) => [...chunk]))
    },

    async markQueued(siteId, marks, expiresAt) {
      await Promise.all(
        marks.map(async ({ messageId, consentKey }) => {
          try {
            await client.send(
              new PutCommand({
                TableName: tableName,
                Item: { ...keyOf(siteId, messageId), consentKey, expiresAt },
                // The first visitor to queue a messageId keeps it; a racing copy does not take it over.
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            )
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) return
            throw error
          }
        }),
      )
    },
  }
}
