import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoDeliveryLedger } from '#shared/adapters/dynamodb-delivery-ledger.ts'
import { dynamoTraitStore } from '#shared/adapters/dynamodb-trait-store.ts'
import { dynamoVisitorItems } from '#shared/adapters/dynamodb-visitor-items.ts'
import type { LedgerEntry } from '#shared/rights/api.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'

const TABLE = 'visitor-items'
const NOW = new Date('2026-12-03T12:00:00.000Z')
const DAY_MS = 86_400_000
const KEY = 'visitor-items-key'
const HASH = 'a'.repeat(64)

const entry = (messageId: string, at: Date): LedgerEntry => ({
  messageId,
  vendor: 'ga4',
  event: 'page_view',
  at: at.toISOString(),
  outcome: 'delivered',
})

/** TTL deletion is lazy in AWS and absent in dynalite: what has expired must not be exported. */
describe("a visitor's items read from their partition", () => {
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    client = documentClient(dynamo.clientConfig)
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  it('skips expired consent, traits and ledger entries, and names the items of other kinds', async () => {
    const expired = Math.floor(NOW.getTime() / 1000) - 1
    await dynamoConsentStore(client, TABLE).record({
      consentKey: KEY,
      purposes: { analytics: true, marketing: true },
      policyVersion: '2018-05',
      receiptId: 'receipt-old',
      updatedAt: new Date(NOW.getTime() - 400 * DAY_MS).toISOString(),
      expiresAt: expired,
    })
    await dynamoTraitStore(client, TABLE, () => NOW).remember(
      KEY,
      { email: HASH },
      new Date(NOW.getTime() - 1000),
    )
    const ledger = dynamoDeliveryLedger(client, TABLE, 30)
    await ledger.record([
      { consentKey: KEY, entry: entry('old', new Date(NOW.getTime() - 31 * DAY_MS)) },
      { consentKey: KEY, entry: entry('recent', new Date(NOW.getTime() - DAY_MS)) },
    ])
    await client.send(new PutCommand({ TableName: TABLE, Item: { pk: KEY, sk: 'rights', restricted: true } }))

    expect(await dynamoVisitorItems(client, TABLE).read(KEY, NOW)).toEqual({
      current: null,
      history: [],
      traits: null,
      ledger: [entry('recent', new Date(NOW.getTime() - DAY_MS))],
      others: ['rights'],
    })
  })

  it('reads every page of a partition larger than one query answer', async () => {
    const key = 'visitor-items-many'
    const ledger = dynamoDeliveryLedger(client, TABLE, 30)
    const padding = 'x'.repeat(20_000)
    // About 1.2 MB: more than the 1 MB one query returns.
    await ledger.record(
      Array.from({ length: 60 }, (_, index) => ({
        consentKey: key,
        entry: { ...entry(`m-${index}`, NOW), event: `${index}-${padding}` },
      })),
    )

    expect((await dynamoVisitorItems(client, TABLE).read(key, NOW)).ledger).toHaveLength(60)
  })
})
