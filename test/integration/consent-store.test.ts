import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { ConsentItemError, dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import { CONSENT_HISTORY_KEPT } from '#shared/consent/store.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'

const TABLE = 'consent-store-test'
const DAY_SECONDS = 24 * 60 * 60
const NOW = new Date('2024-05-06T12:00:00.000Z')
const nowSeconds = NOW.getTime() / 1000

let dynamo: EmbeddedDynamo
let client: ReturnType<typeof documentClient>
let keyCounter = 0
const freshKey = () => `consent-key-${++keyCounter}`

function decision(consentKey: string, overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    consentKey,
    purposes: { analytics: true, marketing: false },
    policyVersion: '2018-05',
    receiptId: `receipt-${keyCounter}-${Math.random().toString(36).slice(2)}`,
    updatedAt: NOW.toISOString(),
    expiresAt: nowSeconds + 30 * DAY_SECONDS,
    ...overrides,
  }
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo([TABLE])
  client = documentClient(dynamo.clientConfig)
})

afterAll(async () => {
  client.destroy()
  await dynamo.close()
})

describe('dynamoConsentStore', () => {
  it('reads back the recorded decision as the current one', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const record = decision(freshKey())

    await store.record(record)

    expect(await store.current(record.consentKey, NOW)).toEqual(record)
  })

  it('answers null for a visitor with no decision', async () => {
    const store = dynamoConsentStore(client, TABLE)

    expect(await store.current(freshKey(), NOW)).toBeNull()
    expect(await store.history(freshKey(), NOW)).toEqual([])
  })

  it('keeps every decision in the history, oldest first, and the latest as current', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const key = freshKey()
    const granted = decision(key, { updatedAt: '2024-05-01T00:00:00.000Z' })
    const revoked = decision(key, {
      updatedAt: '2024-05-02T00:00:00.000Z',
      purposes: { analytics: false, marketing: false },
    })

    await store.record(granted)
    await store.record(revoked)

    expect(await store.current(key, NOW)).toEqual(revoked)
    expect(await store.history(key, NOW)).toEqual([granted, revoked])
  })

  it('keeps the later decision current when an earlier one is written after it', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const key = freshKey()
    const later = decision(key, { updatedAt: '2024-05-02T00:00:00.000Z' })
    const earlier = decision(key, {
      updatedAt: '2024-05-01T00:00:00.000Z',
      purposes: { analytics: true, marketing: true },
    })

    await store.record(later)
    await store.record(earlier)

    expect(await store.current(key, NOW)).toEqual(later)
    expect(await store.history(key, NOW)).toEqual([earlier, later])
  })

  it('ignores a current decision whose expiry has passed', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const record = decision(freshKey(), { expiresAt: nowSeconds })

    await store.record(record)

    expect(await store.current(record.consentKey, NOW)).toBeNull()
    expect(await store.current(record.consentKey, new Date(NOW.getTime() - 1000))).toEqual(record)
  })

  it('leaves expired decisions out of the history', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const key = freshKey()
    const expired = decision(key, { updatedAt: '2023-01-01T00:00:00.000Z', expiresAt: nowSeconds - 1 })
    const live = decision(key, { updatedAt: '2024-05-01T00:00:00.000Z' })

    await store.record(expired)
    await store.record(live)

    expect(await store.history(key, NOW)).toEqual([live])
  })

  it('reads a history longer than one DynamoDB page', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const key = freshKey()
    const padding = 'x'.repeat(60 * 1024)
    const decisions = Array.from({ length: 20 }, (_, index) =>
      decision(key, {
        updatedAt: new Date(Date.UTC(2024, 0, 1, 0, index)).toISOString(),
        policyVersion: `${index}-${padding}`,
      }),
    )

    for (const record of decisions) await store.record(record)

    expect(await store.history(key, NOW)).toEqual(decisions)
  })

  it('keeps only the newest CONSENT_HISTORY_KEPT decisions, deleting the older ones', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const key = freshKey()
    const decisions = Array.from({ length: CONSENT_HISTORY_KEPT + 5 }, (_, index) =>
      decision(key, { updatedAt: new Date(Date.UTC(2024, 0, 1, 0, index)).toISOString() }),
    )

    for (const record of decisions) await store.record(record)

    expect(await store.history(key, NOW)).toEqual(decisions.slice(-CONSENT_HISTORY_KEPT))
    expect(await store.current(key, NOW)).toEqual(decisions.at(-1))
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': key },
      }),
    )
    expect(Items).toHaveLength(CONSENT_HISTORY_KEPT + 1)
  })

  it('writes the TTL attribute on every item', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const record = decision(freshKey())

    await store.record(record)

    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': record.consentKey },
      }),
    )
    expect(Items.map((item) => item.sk).sort()).toEqual([
      'current',
      `history#${record.updatedAt}#${record.receiptId}`,
    ])
    for (const item of Items) expect(item.expiresAt).toBe(record.expiresAt)
  })

  it('refuses an item that does not have the consent shape', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const key = freshKey()
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: key, sk: 'current', purposes: { analytics: 'yes' }, expiresAt: nowSeconds + 60 },
      }),
    )

    await expect(store.current(key, NOW)).rejects.toBeInstanceOf(ConsentItemError)
  })
})

describe('dynamoConsentStore.currentMany', () => {
  it("answers each visitor's current decision, null for none or an expired one", async () => {
    const store = dynamoConsentStore(client, TABLE)
    const granted = decision(freshKey())
    const expired = decision(freshKey(), { expiresAt: nowSeconds - 1 })
    const unknown = freshKey()
    await store.record(granted)
    await store.record(expired)

    const found = await store.currentMany?.([granted.consentKey, expired.consentKey, unknown], NOW)

    expect(found).toEqual(
      new Map([
        [granted.consentKey, granted],
        [expired.consentKey, null],
        [unknown, null],
      ]),
    )
  })

  it('reads more visitors than one BatchGetItem call takes', async () => {
    const store = dynamoConsentStore(client, TABLE)
    const records = Array.from({ length: 101 }, () => decision(freshKey()))
    await Promise.all(records.map((record) => store.record(record)))

    const found = await store.currentMany?.(
      records.map((record) => record.consentKey),
      NOW,
    )

    expect(found?.size).toBe(101)
    for (const record of records) expect(found?.get(record.consentKey)).toEqual(record)
  })
})
