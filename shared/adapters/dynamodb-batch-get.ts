import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

/** BatchGetItem takes at most 100 keys per call. */
const MAX_KEYS_PER_BATCH_GET = 100
/** Rounds of retrying the keys DynamoDB left unprocessed (throttling) before the read fails. */
const MAX_BATCH_GET_ROUNDS = 4
const BATCH_GET_RETRY_BASE_MS = 25

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Every item of these keys, strongly consistent, in calls of at most 100 keys, retrying what DynamoDB
 * leaves unprocessed with a short backoff. Keys that stay unprocessed fail the read with `failure`'s
 * error, so the caller answers 5xx and is retried rather than reading "no item".
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: ReadonlyArray<Record<string, unknown>>,
  failure: (message: string) => Error,
): Promise<unknown[]> {
  const items: unknown[] = []
  for (let first = 0; first < keys.length; first += MAX_KEYS_PER_BATCH_GET) {
    let pending = keys.slice(first, first + MAX_KEYS_PER_BATCH_GET)
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_BATCH_GET_ROUNDS) {
        throw failure(`${pending.length} keys stayed unprocessed after ${round} rounds`)
      }
      if (round > 0) await sleep(BATCH_GET_RETRY_BASE_MS * 2 ** round)
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      )
      items.push(...(Responses?.[tableName] ?? []))
      pending = UnprocessedKeys?.[tableName]?.Keys ?? []
    }
  }
  return items
}
