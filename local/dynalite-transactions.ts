import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb'
import type { TransactWrite } from '#shared/adapters/dynamodb-admin-store.ts'
import { TABLE_KEYS } from '#shared/adapters/dynamodb-tables.ts'

type PutItem = NonNullable<NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Put']>

/**
 * TransactWriteItems for dynalite, which has none: the local stand-in the admin store runs with under
 * `npm start` and in tests. Only `Put` items are supported (all the admin store writes); any other kind
 * throws. Under one in-process lock it first checks every item's condition without changing anything
 * (the stored item, read with a consistent Get, is put back unchanged under the condition; a missing
 * item is "deleted" under the condition, a no-op), and only if every condition holds writes the items in
 * order, each still under its condition. A refusal throws TransactionCanceledException with a
 * `ConditionalCheckFailed` reason at the failing index, as DynamoDB does.
 *
 * What it does not guarantee: isolation from writers that do not go through this function (another
 * process, or this process's plain Puts such as seeding) between the check and the writes; if such a
 * writer makes a later item's condition fail after an earlier item was written, the earlier item stays
 * written (no rollback), and a reader may see the first item before the second. It does not check
 * DynamoDB's limits (100 items, 4 MB, one item touched once) or idempotency tokens.
 */
export function dynaliteTransactWrite(client: DynamoDBDocumentClient): TransactWrite {
  let queue: Promise<unknown> = Promise.resolve()
  return (input) => {
    const run = queue.then(() => transact(client, input))
    queue = run.catch(() => {})
    return run
  }
}

async function transact(client: DynamoDBDocumentClient, input: TransactWriteCommandInput): Promise<void> {
  const puts = (input.TransactItems ?? []).map((item, index) => {
    if (!item.Put || item.Delete || item.Update || item.ConditionCheck)
      throw new Error(`dynaliteTransactWrite supports Put items only (item ${index})`)
    return item.Put
  })
  for (const [index, put] of puts.entries()) {
    if (!(await conditionHolds(client, put))) throw cancelled(puts.length, index)
  }
  for (const [index, put] of puts.entries()) {
    try {
      await client.send(new PutCommand(put))
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw cancelled(puts.length, index)
      throw error
    }
  }
}

async function conditionHolds(client: DynamoDBDocumentClient, put: PutItem): Promise<boolean> {
  if (!put.ConditionExpression) return true
  const { partitionKey, sortKey } = TABLE_KEYS
  const key = { [partitionKey]: put.Item?.[partitionKey], [sortKey]: put.Item?.[sortKey] }
  const condition = {
    TableName: put.TableName,
    ConditionExpression: put.ConditionExpression,
    ExpressionAttributeNames: put.ExpressionAttributeNames,
    ExpressionAttributeValues: put.ExpressionAttributeValues,
  }
  const { Item } = await client.send(
    new GetCommand({ TableName: put.TableName, Key: key, ConsistentRead: true }),
  )
  try {
    if (Item) await client.send(new PutCommand({ ...condition, Item }))
    else await client.send(new DeleteCommand({ ...condition, Key: key }))
    return true
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false
    throw error
  }
}

function cancelled(count: number, failedIndex: number): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled: a condition failed',
    $metadata: {},
    CancellationReasons: Array.from({ length: count }, (_, index) =>
      index === failedIndex ? { Code: 'ConditionalCheckFailed' } : { Code: 'None' },
    ),
  })
}
