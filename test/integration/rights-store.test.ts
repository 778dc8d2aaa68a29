import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { ERASED_SORT_KEY } from '#shared/adapters/dynamodb-erasure-store.ts'
import { dynamoRightsStore } from '#shared/adapters/dynamodb-rights-store.ts'
import type { RightsStore } from '#shared/rights/store.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'

const TABLE = 'rights-consent'
const DAY_MS = 24 * 60 * 60 * 1000
const T0 = new Date('2026-12-03T10:00:00.000Z')
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs)
const keeping = (now: Date) => ({ now, expiresAt: new Date(now.getTime() + 30 * DAY_MS) })

/** The rights item on dynalite: one per visitor, its TTL refreshed by every write, expired reads as unset. */
describe('DynamoDB rights store', () => {
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  let store: RightsStore

  const rawItem = async (pk: string) =>
    (await client.send(new GetCommand({ TableName: TABLE, Key: { pk, sk: 'rights' } }))).Item

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    client = documentClient(dynamo.clientConfig)
    store = dynamoRightsStore(client, TABLE)
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  it('reads nothing set for a visitor who never restricted or objected', async () => {
    expect(await store.read('nobody', T0)).toBeNull()
    expect(await store.readMany(['nobody'], T0)).toEqual(new Map([['nobody', null]]))
  })

  it('stores restriction and objections under sk rights, with a TTL refreshed by every write', async () => {
    await store.update('visitor-a', () => ({ restricted: true, objections: {} }), keeping(T0))
    const first = await rawItem('visitor-a')
    expect(first).toMatchObject({ restricted: true, objections: {}, updatedAt: T0.toISOString() })
    expect(first?.expiresAt).toBe(Math.floor(at(30 * DAY_MS).getTime() / 1000))

    const later = at(DAY_MS)
    const state = await store.update(
      'visitor-a',
      (current) => ({ restricted: current?.restricted ?? false, objections: { marketing: true } }),
      keeping(later),
    )
    expect(state).toEqual({
      restricted: true,
      objections: { marketing: true },
      updatedAt: later.toISOString(),
    })
    expect((await rawItem('visitor-a'))?.expiresAt).toBe(Math.floor(at(31 * DAY_MS).getTime() / 1000))
    expect(await store.read('visitor-a', later)).toEqual(state)
  })

  it('ignores an expired item (TTL deletion is lazy): read, readMany, and the next change starts afresh', async () => {
    await store.update(
      'visitor-b',
      () => ({ restricted: true, objections: { analytics: true } }),
      keeping(T0),
    )
    const expired = at(31 * DAY_MS)
    expect(await store.read('visitor-b', expired)).toBeNull()
    expect((await store.readMany(['visitor-b'], expired)).get('visitor-b')).toBeNull()
    expect((await store.readManyWithConsent?.(['visitor-b'], expired))?.get('visitor-b')).toEqual({
      consent: null,
      rights: null,
      erased: false,
    })
    const seen: unknown[] = []
    await store.update(
      'visitor-b',
      (current) => {
        seen.push(current)
        return { restricted: false, objections: {} }
      },
      keeping(expired),
    )
    expect(seen).toEqual([null])
  })

  it('reads consent and rights of many visitors in one batch', async () => {
    const consent = dynamoConsentStore(client, TABLE)
    await consent.record({
      consentKey: 'visitor-c',
      purposes: { analytics: true, marketing: false },
      policyVersion: '2018-05',
      receiptId: 'receipt-c',
      updatedAt: T0.toISOString(),
      expiresAt: Math.floor(at(30 * DAY_MS).getTime() / 1000),
    })
    await store.update(
      'visitor-d',
      () => ({ restricted: false, objections: { analytics: true } }),
      keeping(T0),
    )

    const standings = await store.readManyWithConsent?.(['visitor-c', 'visitor-d', 'visitor-c', 'nobody'], T0)

    expect(standings?.get('visitor-c')).toMatchObject({ consent: { receiptId: 'receipt-c' }, rights: null })
    expect(standings?.get('visitor-d')).toEqual({
      consent: null,
      rights: { restricted: false, objections: { analytics: true }, updatedAt: T0.toISOString() },
      erased: false,
    })
    expect(standings?.get('nobody')).toEqual({ consent: null, rights: null, erased: false })
    expect(standings?.size).toBe(3)
  })

  it('reads an erased visitor’s tombstone in the same batch, until it expires', async () => {
    const seconds = (date: Date) => Math.floor(date.getTime() / 1000)
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: 'visitor-e', sk: ERASED_SORT_KEY, expiresAt: seconds(at(14 * DAY_MS)) },
      }),
    )
    expect((await store.readManyWithConsent?.(['visitor-e'], T0))?.get('visitor-e')?.erased).toBe(true)
    const later = at(15 * DAY_MS)
    expect((await store.readManyWithConsent?.(['visitor-e'], later))?.get('visitor-e')?.erased).toBe(false)
  })

  it('loses no change when two land at once', async () => {
    const object = (purpose: 'analytics' | 'marketing') =>
      store.update(
        'visitor-e',
        (current) => ({
          restricted: current?.restricted ?? false,
          objections: { ...current?.objections, [purpose]: true },
        }),
        keeping(T0),
      )
    await Promise.all([object('analytics'), object('marketing')])
    expect((await store.read('visitor-e', T0))?.objections).toEqual({ analytics: true, marketing: true })
  })

  it('forgets the item', async () => {
    await store.update('visitor-f', () => ({ restricted: true, objections: {} }), keeping(T0))
    await store.forget('visitor-f')
    expect(await rawItem('visitor-f')).toBeUndefined()
    expect(await store.read('visitor-f', T0)).toBeNull()
  })
})
