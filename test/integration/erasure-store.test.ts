import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoErasureStore } from '#shared/adapters/dynamodb-erasure-store.ts'
import type { QueueMessage } from '#shared/delivery/message.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { visitorErasure } from '#shared/rights/erasure.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'

const TABLE = 'erasure-store-consent'
const KEY = 'erasure-store-key'
const NOW = new Date('2026-12-03T12:00:00.000Z')
const NOW_SECONDS = NOW.getTime() / 1000
const visitor = { siteId: 'shop', anonymousId: 'visitor-many-items' }

describe('the DynamoDB erasure store and visitorErasure', () => {
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  const queued: Array<{ vendor: VendorId; message: QueueMessage }> = []

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    client = documentClient(dynamo.clientConfig)
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  const erasure = () =>
    visitorErasure({
      store: dynamoErasureStore(client, TABLE),
      dispatch: {
        enqueue: async (vendor, messages) => {
          for (const message of messages) queued.push({ vendor, message })
        },
      },
      pseudonymKey: KEY,
      now: () => NOW,
    })

  it('deletes more items than one batch holds, leaves the tombstone, and queues one request per vendor', async () => {
    const pk = consentKey(KEY, visitor.siteId, visitor.anonymousId)
    for (let index = 0; index < 30; index += 1)
      await client.send(
        new PutCommand({
          TableName: TABLE,
          Item: { pk, sk: `ledger#${index}`, expiresAt: NOW_SECONDS + 60 },
        }),
      )

    const status = await erasure().erase(visitor)

    const { Items } = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    )
    expect(Items).toEqual([{ pk, sk: 'erased', expiresAt: NOW_SECONDS + 14 * 86_400 }])
    expect(queued.map((entry) => entry.vendor).sort()).toEqual(['ga4', 'hubspot', 'linkedin', 'meta'])
    expect(status.state).toBe('pending')
    const store = dynamoErasureStore(client, TABLE)
    expect(await store.isErased(pk, NOW)).toBe(true)
    expect(await store.isErased(pk, new Date(NOW.getTime() + 15 * 86_400_000))).toBe(false)
  })

  it('shows the status only to its own visitor, and derives done from every vendor’s part', async () => {
    const status = await erasure().erase({ siteId: 'shop', anonymousId: 'visitor-status' })
    const store = dynamoErasureStore(client, TABLE)
    for (const vendor of ['ga4', 'hubspot'] as const) await store.settle(status.erasureId, vendor, 'done')
    await store.settle(status.erasureId, 'meta', 'no-deletion-api', 'see the ad settings')

    const pending = await erasure().erasureStatus(
      { siteId: 'shop', anonymousId: 'visitor-status' },
      status.erasureId,
    )
    expect(pending?.state).toBe('pending')
    await store.settle(status.erasureId, 'linkedin', 'no-deletion-api')
    const done = await erasure().erasureStatus(
      { siteId: 'shop', anonymousId: 'visitor-status' },
      status.erasureId,
    )
    expect(done?.state).toBe('done')
    expect(done?.vendors.meta).toEqual({ state: 'no-deletion-api', detail: 'see the ad settings' })
    expect(
      await erasure().erasureStatus({ siteId: 'shop', anonymousId: 'someone-else' }, status.erasureId),
    ).toBeNull()
    expect(
      await erasure().erasureStatus({ siteId: 'shop', anonymousId: 'visitor-status' }, 'unknown'),
    ).toBeNull()
  })

  it('refuses an admin e-mail that is not one, naming the field, before anything is deleted', async () => {
    await expect(erasure().erase(visitor, { email: 'not an address' })).rejects.toMatchObject({
      name: 'ErasureRequestError',
      field: 'email',
    })
  })
})
