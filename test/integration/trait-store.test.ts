import { createHash } from 'node:crypto'
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoTraitStore, TraitItemError } from '#shared/adapters/dynamodb-trait-store.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'

const TABLE = 'trait-store-test'
const DAY_MS = 24 * 60 * 60 * 1000
const NOW = new Date('2026-12-03T12:00:00.000Z')
const IN_30_DAYS = new Date(NOW.getTime() + 30 * DAY_MS)
const IN_60_DAYS = new Date(NOW.getTime() + 60 * DAY_MS)
const YESTERDAY = new Date(NOW.getTime() - DAY_MS)

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

let dynamo: EmbeddedDynamo
let client: ReturnType<typeof documentClient>
let keyCounter = 0
const freshKey = () => `consent-key-${++keyCounter}`
const store = () => dynamoTraitStore(client, TABLE, () => NOW)

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo([TABLE])
  client = documentClient(dynamo.clientConfig)
})

afterAll(async () => {
  client.destroy()
  await dynamo.close()
})

describe('dynamoTraitStore', () => {
  it('recalls what it remembered', async () => {
    const key = freshKey()
    const traits = { email: sha256('jane@example.com'), country: sha256('de') }

    await store().remember(key, traits, IN_30_DAYS)

    expect(await store().recallMany([key], NOW)).toEqual(new Map([[key, traits]]))
  })

  it('keeps one item per visitor in the consent table: sk traits, the hashes, expiresAt in epoch seconds', async () => {
    const key = freshKey()

    await store().remember(key, { email: sha256('a@example.com') }, IN_30_DAYS)
    await store().remember(key, { phone: sha256('16505551212') }, IN_60_DAYS)

    const { Item } = await client.send(new GetCommand({ TableName: TABLE, Key: { pk: key, sk: 'traits' } }))
    expect(Item).toMatchObject({
      pk: key,
      sk: 'traits',
      traits: { email: sha256('a@example.com'), phone: sha256('16505551212') },
      expiresAt: IN_60_DAYS.getTime() / 1000,
    })
  })

  it('merges a later identify over the earlier one: new kinds added, repeated kinds replaced', async () => {
    const key = freshKey()

    await store().remember(key, { email: sha256('old@example.com'), lastName: sha256('doe') }, IN_30_DAYS)
    await store().remember(key, { email: sha256('new@example.com'), city: sha256('berlin') }, IN_30_DAYS)

    expect((await store().recallMany([key], NOW)).get(key)).toEqual({
      email: sha256('new@example.com'),
      lastName: sha256('doe'),
      city: sha256('berlin'),
    })
  })

  it('refreshes the expiry with every identify', async () => {
    const key = freshKey()
    const after30Days = new Date(IN_30_DAYS.getTime() + DAY_MS)

    await store().remember(key, { email: sha256('jane@example.com') }, IN_30_DAYS)
    await store().remember(key, {}, IN_60_DAYS)

    expect((await store().recallMany([key], after30Days)).get(key)).toEqual({
      email: sha256('jane@example.com'),
    })
  })

  it('ignores expired traits on read, before DynamoDB TTL has removed them', async () => {
    const key = freshKey()

    await store().remember(key, { email: sha256('jane@example.com') }, IN_30_DAYS)

    expect(await store().recallMany([key], new Date(IN_30_DAYS.getTime() + 1000))).toEqual(new Map())
  })

  it('does not merge a new identify with expired traits', async () => {
    const key = freshKey()
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: key,
          sk: 'traits',
          traits: { lastName: sha256('doe') },
          expiresAt: YESTERDAY.getTime() / 1000,
          revision: 1,
        },
      }),
    )

    await store().remember(key, { email: sha256('jane@example.com') }, IN_30_DAYS)

    expect((await store().recallMany([key], NOW)).get(key)).toEqual({ email: sha256('jane@example.com') })
  })

  it('keeps every one of three identify calls that race', async () => {
    const key = freshKey()

    await Promise.all([
      store().remember(key, { email: sha256('jane@example.com') }, IN_30_DAYS),
      store().remember(key, { phone: sha256('16505551212') }, IN_30_DAYS),
      store().remember(key, { city: sha256('berlin') }, IN_30_DAYS),
    ])

    expect((await store().recallMany([key], NOW)).get(key)).toEqual({
      email: sha256('jane@example.com'),
      phone: sha256('16505551212'),
      city: sha256('berlin'),
    })
  })

  it('recalls many visitors across several BatchGetItem calls, leaving out those with none', async () => {
    const remembered = Array.from({ length: 130 }, freshKey)
    const unknown = Array.from({ length: 20 }, freshKey)
    await Promise.all(remembered.map((key) => store().remember(key, { email: sha256(key) }, IN_30_DAYS)))

    const recalled = await store().recallMany([...remembered, ...unknown, remembered[0] ?? ''], NOW)

    expect(recalled.size).toBe(130)
    for (const key of remembered) expect(recalled.get(key)).toEqual({ email: sha256(key) })
    for (const key of unknown) expect(recalled.has(key)).toBe(false)
  })

  it('answers an empty map for no visitors', async () => {
    expect(await store().recallMany([], NOW)).toEqual(new Map())
  })

  it('forgets a visitor, and only its traits: the consent record beside them stays', async () => {
    const key = freshKey()
    const consent = dynamoConsentStore(client, TABLE)
    const record = {
      consentKey: key,
      purposes: { analytics: true, marketing: true },
      policyVersion: '2026-01',
      receiptId: 'receipt-1',
      updatedAt: NOW.toISOString(),
      expiresAt: IN_30_DAYS.getTime() / 1000,
    }
    await consent.record(record)
    await store().remember(key, { email: sha256('jane@example.com') }, IN_30_DAYS)

    await store().forget(key)

    expect(await store().recallMany([key], NOW)).toEqual(new Map())
    expect(await consent.current(key, NOW)).toEqual(record)
  })

  it('forgetting a visitor without traits is no error', async () => {
    await expect(store().forget(freshKey())).resolves.toBeUndefined()
  })

  it('refuses an item that is not what it writes, rather than sending it on', async () => {
    const key = freshKey()
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: key,
          sk: 'traits',
          traits: { email: 'jane@example.com' },
          expiresAt: IN_30_DAYS.getTime() / 1000,
          revision: 1,
        },
      }),
    )

    await expect(store().recallMany([key], NOW)).rejects.toThrow(TraitItemError)
  })
})
