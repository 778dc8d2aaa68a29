import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { VisitorItems, VisitorItemsReader } from '#shared/rights/visitor-items.ts'
import { toRecord as consentRecordOf } from './dynamodb-consent-store.ts'
import { LEDGER_SORT_KEY_PREFIX, ledgerEntryOfItem } from './dynamodb-delivery-ledger.ts'
import { SESSION_SORT_KEY, sessionInForce } from './dynamodb-session-store.ts'
import { hashesOf, toItem as traitItemOf } from './dynamodb-trait-store.ts'

const MILLISECONDS_PER_SECOND = 1000
const inForce = (expiresAt: number, now: Date) => expiresAt * MILLISECONDS_PER_SECOND > now.getTime()

/**
 * The visitor's partition of the consent table (layout in dynamodb-tables.ts), page by page and
 * strongly consistent, each item parsed by the adapter that writes it. Expired items are skipped (TTL
 * deletion is lazy in AWS and absent in dynalite).
 */
export function dynamoVisitorItems(client: DynamoDBDocumentClient, tableName: string): VisitorItemsReader {
  return {
    async read(consentKey, now) {
      const found: VisitorItems = { current: null, history: [], traits: null, ledger: [], others: [] }
      let startKey: Record<string, unknown> | undefined
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': consentKey },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        )
        for (const item of page.Items ?? []) sortInto(found, item, now)
        startKey = page.LastEvaluatedKey
      } while (startKey)
      return found
    },
  }
}

function sortInto(found: VisitorItems, item: Record<string, unknown>, now: Date): void {
  const sk = typeof item.sk === 'string' ? item.sk : ''
  if (sk === 'current') {
    const record = consentRecordOf(item)
    if (inForce(record.expiresAt, now)) found.current = record
  } else if (sk.startsWith('history#')) {
    // The query returns sort-key order, and history keys begin with the decision's time.
    const record = consentRecordOf(item)
    if (inForce(record.expiresAt, now)) found.history.push(record)
  } else if (sk === 'traits') {
    const traits = traitItemOf(item)
    if (inForce(traits.expiresAt, now)) found.traits = hashesOf(traits)
  } else if (sk === SESSION_SORT_KEY) {
    const session = sessionInForce(item, now)?.session
    if (session) found.session = session
  } else if (sk.startsWith(LEDGER_SORT_KEY_PREFIX)) {
    const entry = ledgerEntryOfItem(item, now)
    if (entry) found.ledger.push(entry)
  } else {
    found.others.push(sk)
  }
}
