import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb'
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import {
  dynamoVendorSettingsSource,
  putVendorSettings,
  seedVendorSettings,
  VENDOR_SETTINGS_PARTITION,
} from '#shared/adapters/dynamodb-vendor-settings.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import {
  cachedVendorSettings,
  VENDOR_SETTINGS_MAX_AGE_MS,
  VendorSettingsInvalidError,
  VendorSettingsReadError,
} from '#shared/vendors/settings-store.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'

const settingsSchema = z.strictObject({ enabled: z.boolean(), measurementId: z.optional(z.string()) })
const parse = (_vendorId: string, raw: unknown) => settingsSchema.parse(raw)
const SEEDED_AT = new Date('2026-01-02T03:04:05.000Z')

let dynamo: EmbeddedDynamo
let client: ReturnType<typeof documentClient>
const TABLE_COUNT = 12
const tableNames = Array.from({ length: TABLE_COUNT }, (_, index) => `vendor-settings-test-${index}`)
let tablesUsed = 0
/** Each test its own table, since all vendor settings share one partition. */
function freshTable(): string {
  const name = tableNames[tablesUsed++]
  if (!name) throw new Error(`More than ${TABLE_COUNT} tests use a table; raise TABLE_COUNT`)
  return name
}

function fakeClock() {
  const clock = { at: 1_000_000, now: () => clock.at, advance: (ms: number) => (clock.at += ms) }
  return clock
}

/** A document client on the embedded server that counts the Query calls it sends. */
function countingClient() {
  const counted = documentClient(dynamo.clientConfig)
  const calls = { queries: 0 }
  counted.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') calls.queries++
      return next(args)
    },
    { step: 'initialize', name: 'countQueries' },
  )
  return { counted, calls }
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo(tableNames)
  client = documentClient(dynamo.clientConfig)
})

afterAll(async () => {
  client.destroy()
  await dynamo.close()
})

describe('seedVendorSettings', () => {
  it('writes the deployment settings of a vendor that has no item, with the layout the table documents', async () => {
    const table = freshTable()

    const result = await seedVendorSettings(
      client,
      table,
      { ga4: { enabled: true, measurementId: 'G-1' } },
      () => SEEDED_AT,
    )

    expect(result).toEqual({ written: ['ga4'], kept: [] })
    const { Item } = await client.send(
      new GetCommand({ TableName: table, Key: { pk: VENDOR_SETTINGS_PARTITION, sk: 'ga4' } }),
    )
    expect(Item).toEqual({
      pk: 'vendor-settings',
      sk: 'ga4',
      settings: { enabled: true, measurementId: 'G-1' },
      updatedAt: SEEDED_AT.toISOString(),
    })
  })

  it("keeps an admin's change when the deployment seeds again", async () => {
    const table = freshTable()
    await seedVendorSettings(client, table, { ga4: { enabled: true }, meta: { enabled: true } })
    await putVendorSettings(client, table, 'ga4', { enabled: false })

    const result = await seedVendorSettings(client, table, {
      ga4: { enabled: true },
      meta: { enabled: true },
      tiktok: { enabled: true },
    })

    expect(result).toEqual({ written: ['tiktok'], kept: ['ga4', 'meta'] })
    expect(await dynamoVendorSettingsSource(client, table).readAll()).toEqual({
      ga4: { enabled: false },
      meta: { enabled: true },
      tiktok: { enabled: true },
    })
  })
})

describe('dynamoVendorSettingsSource', () => {
  it('reads every vendor of the partition and nothing outside it', async () => {
    const table = freshTable()
    await putVendorSettings(client, table, 'ga4', { enabled: true })
    await putVendorSettings(client, table, 'meta', { enabled: false })
    await client.send(
      new PutCommand({ TableName: table, Item: { pk: 'other-kind', sk: 'ga4', settings: 'x' } }),
    )

    expect(await dynamoVendorSettingsSource(client, table).readAll()).toEqual({
      ga4: { enabled: true },
      meta: { enabled: false },
    })
  })

  it('reads an empty partition as no vendors', async () => {
    const table = freshTable()

    expect(await dynamoVendorSettingsSource(client, table).readAll()).toEqual({})
  })

  it('reads a partition larger than one DynamoDB page', async () => {
    const table = freshTable()
    const padding = 'x'.repeat(300 * 1024)
    const ids = Array.from({ length: 6 }, (_, index) => `vendor-${index}`)
    for (const id of ids)
      await putVendorSettings(client, table, id, { enabled: true, measurementId: padding })
    const { counted, calls } = countingClient()

    const all = await dynamoVendorSettingsSource(counted, table).readAll()

    expect(Object.keys(all).sort()).toEqual(ids)
    expect(calls.queries).toBeGreaterThan(1)
    counted.destroy()
  })
})

describe('vendor settings from the config table through the cache', () => {
  it('sees a vendor switched off in the table after the window, and not before', async () => {
    const table = freshTable()
    await seedVendorSettings(client, table, { ga4: { enabled: true } })
    const clock = fakeClock()
    const settings = cachedVendorSettings(dynamoVendorSettingsSource(client, table), parse, {
      now: clock.now,
    })
    expect(await settings.get('ga4')).toEqual({ enabled: true })

    await putVendorSettings(client, table, 'ga4', { enabled: false })
    clock.advance(VENDOR_SETTINGS_MAX_AGE_MS - 1)
    expect(await settings.get('ga4')).toEqual({ enabled: true })

    clock.advance(1)
    expect(await settings.get('ga4')).toEqual({ enabled: false })
  })

  it('sends one Query per window whatever the number of vendors and gets', async () => {
    const table = freshTable()
    await seedVendorSettings(client, table, {
      ga4: { enabled: true },
      meta: { enabled: true },
      tiktok: { enabled: false },
    })
    const { counted, calls } = countingClient()
    const clock = fakeClock()
    const settings = cachedVendorSettings(dynamoVendorSettingsSource(counted, table), parse, {
      now: clock.now,
    })

    await Promise.all(['ga4', 'meta', 'tiktok', 'ga4', 'meta'].map((id) => settings.get(id)))
    for (const id of ['ga4', 'meta', 'tiktok', 'linkedin']) await settings.get(id)
    expect(calls.queries).toBe(1)

    clock.advance(VENDOR_SETTINGS_MAX_AGE_MS)
    for (const id of ['ga4', 'meta', 'tiktok']) await settings.get(id)
    expect(calls.queries).toBe(2)
    counted.destroy()
  })

  it('keeps serving the last read while DynamoDB throttles, and reports it', async () => {
    const table = freshTable()
    await seedVendorSettings(client, table, { ga4: { enabled: true } })
    const throttledClient = documentClient(dynamo.clientConfig)
    const clock = fakeClock()
    const errors: unknown[] = []
    const settings = cachedVendorSettings(dynamoVendorSettingsSource(throttledClient, table), parse, {
      now: clock.now,
      onError: (error) => errors.push(error),
    })
    expect(await settings.get('ga4')).toEqual({ enabled: true })

    const throttle = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} })
    const dynamoMock = mockClient(throttledClient)
    dynamoMock.on(QueryCommand).rejects(throttle)
    try {
      clock.advance(VENDOR_SETTINGS_MAX_AGE_MS)

      expect(await settings.get('ga4')).toEqual({ enabled: true })
      expect(dynamoMock.commandCalls(QueryCommand)).toHaveLength(1)
      expect(errors).toEqual([expect.any(VendorSettingsReadError)])
      expect(errors[0]).toMatchObject({ cause: throttle })
    } finally {
      dynamoMock.restore()
      throttledClient.destroy()
    }
  })

  it('fails a first read that DynamoDB throttles, so the caller answers 5xx or retries', async () => {
    const table = freshTable()
    await seedVendorSettings(client, table, { ga4: { enabled: true } })
    const throttledClient = documentClient(dynamo.clientConfig)
    const dynamoMock = mockClient(throttledClient)
    dynamoMock
      .on(QueryCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }))
    const settings = cachedVendorSettings(dynamoVendorSettingsSource(throttledClient, table), parse, {
      now: fakeClock().now,
    })
    try {
      await expect(settings.get('ga4')).rejects.toBeInstanceOf(VendorSettingsReadError)
    } finally {
      dynamoMock.restore()
      throttledClient.destroy()
    }
  })

  it('reads a vendor whose stored settings do not parse as switched off, and the others as stored', async () => {
    const table = freshTable()
    await putVendorSettings(client, table, 'ga4', { enabled: 'sometimes', measurementId: 'G-1' })
    await putVendorSettings(client, table, 'meta', { enabled: true })
    const errors: unknown[] = []
    const settings = cachedVendorSettings(dynamoVendorSettingsSource(client, table), parse, {
      now: fakeClock().now,
      onError: (error) => errors.push(error),
    })

    expect(await settings.get('ga4')).toBeNull()
    expect(await settings.get('meta')).toEqual({ enabled: true })
    expect(errors).toEqual([expect.any(VendorSettingsInvalidError)])
    expect(errors[0]).toMatchObject({ vendorId: 'ga4' })
  })
})
