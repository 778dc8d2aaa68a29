import { BatchWriteCommand, type BatchWriteCommandInput, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { SQSEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import {
  dynamoDeliveryLedger,
  LEDGER_ITEM_ATTRIBUTES,
  LedgerWriteError,
} from '#shared/adapters/dynamodb-delivery-ledger.ts'
import { seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { LedgerRecord } from '#shared/rights/ledger.ts'
import { ga4Vendor } from '#shared/vendors/ga4/index.ts'
import { composeDeliver } from '../../functions/deliver/compose.ts'
import { createDeliverHandler } from '../../functions/deliver/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { lambdaContext } from '../../local/lambda-context.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { toGa4Payload } from '../support/ga4.ts'
import { parkedList, queuedMessage } from '../unit/delivery/fixtures.ts'
import { collectedEvent, GA4_CONTEXT } from '../unit/vendors/fixtures.ts'

const CONSENT = 'ledger-consent'
const CONFIG = 'ledger-config'
const LEDGER_DAYS = 30
const SECONDS_PER_DAY = 86_400
const config = parseConfig({
  sites: [{ id: 'shop', writeKeys: ['ledger-write-key'], allowedOrigins: ['https://shop.example'] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-LEDGER1' } },
})

const consented = (consentKey: string, analytics: boolean): ConsentRecord => ({
  consentKey,
  purposes: { analytics, marketing: false },
  policyVersion: '2018-05',
  receiptId: `receipt-${consentKey}`,
  updatedAt: new Date().toISOString(),
  expiresAt: Math.floor(Date.now() / 1000) + SECONDS_PER_DAY,
})

/** A GA4 message of the visitor `consentKey`, whose client id tells the stand-in how to answer. */
const messageFor = (messageId: string, consentKey: string, clientId: string): VendorMessage =>
  queuedMessage({
    messageId,
    consentKey,
    payload: toGa4Payload(collectedEvent({ messageId, properties: { coupon: 'SECRET-COUPON-7' } }), {
      ...GA4_CONTEXT,
      clientId,
    }),
  })

const batch = (messages: ReadonlyArray<VendorMessage>): SQSEvent => ({
  Records: messages.map((message, index) => ({
    messageId: `sqs-${message.messageId}`,
    receiptHandle: `handle-${index}`,
    body: JSON.stringify(message),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:tagwarden-ga4',
    awsRegion: 'eu-central-1',
  })),
})

/** The composed deliverer (functions/deliver.ts) on dynalite, sending to a stand-in for GA4. */
describe('the deliverers keep a ledger of what each vendor was sent', () => {
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  let ga4: CaptureServer
  /** Client ids the stand-in answers 503 to (worth a retry). */
  const unavailableFor = new Set(['500.500'])
  const errors: unknown[] = []

  const deliverer = (ledgerTable = CONSENT) =>
    createDeliverHandler(
      composeDeliver({
        vendor: ga4Vendor,
        dynamo: client,
        tables: { consent: CONSENT, config: CONFIG },
        policyVersion: '2018-05',
        credentials: async () => '{"apiSecret":"ledger-secret"}',
        sender: fetchSender(),
        deadLetters: parkedList(),
        redelivery: { delay: async () => {} },
        baseUrl: ga4.url,
        production: false,
        onOutcome: () => {},
        reportError: (error) => errors.push(error),
        ledger: { table: ledgerTable, retentionDays: LEDGER_DAYS },
      }),
    )
  const ledgerOf = async (consentKey: string) => {
    const { Items } = await client.send(
      new QueryCommand({
        TableName: CONSENT,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
        ExpressionAttributeValues: { ':pk': consentKey, ':ledger': 'ledger#' },
        ConsistentRead: true,
      }),
    )
    return Items ?? []
  }

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([CONSENT, CONFIG])
    client = documentClient(dynamo.clientConfig)
    await seedVendorSettings(client, CONFIG, config.vendors)
    const store = dynamoConsentStore(client, CONSENT)
    await store.record(consented('visitor-a', true))
    await store.record(consented('visitor-revoked', false))
    ga4 = await startCaptureServer({
      respond: (request) => {
        if (request.body.includes('"client_id":"400.400"')) return { status: 400 }
        const unavailable = [...unavailableFor].some((id) => request.body.includes(`"client_id":"${id}"`))
        return { status: unavailable ? 503 : 204 }
      },
    })
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
    await ga4?.close()
  })

  it('enters each delivered, withheld and dead-lettered message with its expiry, and no retry', async () => {
    const before = Math.floor(Date.now() / 1000)
    const answer = await deliverer()(
      batch([
        messageFor('a', 'visitor-a', '111.111'),
        messageFor('b', 'visitor-revoked', '111.111'),
        messageFor('c', 'visitor-a', '400.400'),
        messageFor('d', 'visitor-a', '500.500'),
        messageFor('g', 'never-consented', '111.111'),
      ]),
      lambdaContext('deliver'),
    )

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-d' }] })
    // Of a visitor without a consent record (never consented, or erased), nothing is kept.
    expect(await ledgerOf('never-consented')).toEqual([])
    const entries = [...(await ledgerOf('visitor-a')), ...(await ledgerOf('visitor-revoked'))]
    expect(entries.map(({ messageId, outcome }) => [messageId, outcome]).sort()).toEqual([
      ['a', 'delivered'],
      ['b', 'withheld'],
      ['c', 'dead-lettered'],
    ])
    for (const entry of entries) {
      expect(entry).toEqual({
        pk: expect.any(String),
        sk: `ledger#ga4#${entry.messageId}`,
        messageId: entry.messageId,
        vendor: 'ga4',
        event: 'order_completed',
        at: expect.any(String),
        outcome: entry.outcome,
        expiresAt: Math.floor(Date.parse(entry.at) / 1000) + LEDGER_DAYS * SECONDS_PER_DAY,
      })
      expect(Object.keys(entry).sort()).toEqual([...LEDGER_ITEM_ATTRIBUTES].sort())
      expect(entry.expiresAt).toBeGreaterThanOrEqual(before + LEDGER_DAYS * SECONDS_PER_DAY)
    }
    expect(JSON.stringify(entries)).not.toContain('SECRET-COUPON-7')
  })

  it('keeps one entry per message when it is delivered again; the final outcome stands', async () => {
    unavailableFor.clear()
    const answer = await deliverer()(
      batch([messageFor('a', 'visitor-a', '111.111'), messageFor('d', 'visitor-a', '500.500')]),
      lambdaContext('deliver'),
    )

    expect(answer).toEqual({ batchItemFailures: [] })
    const entries = await ledgerOf('visitor-a')
    expect(entries.map(({ messageId, outcome }) => [messageId, outcome]).sort()).toEqual([
      ['a', 'delivered'],
      ['c', 'dead-lettered'],
      ['d', 'delivered'],
    ])
  })

  it('answers the batch as it would without a ledger when the ledger cannot be written, and reports why', async () => {
    unavailableFor.add('500.500')
    errors.length = 0
    const sentBefore = ga4.requests.length

    const answer = await deliverer('no-such-table')(
      batch([messageFor('e', 'visitor-a', '111.111'), messageFor('f', 'visitor-a', '500.500')]),
      lambdaContext('deliver'),
    )

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-f' }] })
    expect(ga4.requests.length - sentBefore).toBe(2)
    expect(errors).toEqual([expect.objectContaining({ name: 'LedgerWriteError' })])
    expect((await ledgerOf('visitor-a')).map(({ messageId }) => messageId)).not.toContain('e')
  })
})

describe('the ledger adapter under throttling', () => {
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  const TABLE = 'ledger-throttled'
  const records = (count: number): LedgerRecord[] =>
    Array.from({ length: count }, (_, index) => ({
      consentKey: 'visitor-throttled',
      entry: {
        messageId: `m-${index}`,
        vendor: 'meta',
        event: 'Purchase',
        at: '2026-12-03T10:00:00.000Z',
        outcome: 'delivered' as const,
      },
    }))
  const stored = async () => {
    const { Items } = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'visitor-throttled' },
        ConsistentRead: true,
      }),
    )
    return (Items ?? []).map((item) => item.messageId)
  }

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    client = documentClient(dynamo.clientConfig)
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  it('writes in batches of 25 and writes again what DynamoDB left unprocessed', async () => {
    const throttled = documentClient(dynamo.clientConfig)
    const mock = mockClient(throttled)
    const forward = (input: BatchWriteCommandInput) => client.send(new BatchWriteCommand(input))
    mock
      .on(BatchWriteCommand)
      .callsFakeOnce(async (input: BatchWriteCommandInput) => {
        const [first, ...rest] = input.RequestItems?.[TABLE] ?? []
        await forward({ RequestItems: { [TABLE]: first ? [first] : [] } })
        return { UnprocessedItems: { [TABLE]: rest } }
      })
      .callsFake(forward)
    try {
      await dynamoDeliveryLedger(throttled, TABLE, LEDGER_DAYS).record(records(30))

      expect(new Set(await stored()).size).toBe(30)
      const sizes = mock
        .commandCalls(BatchWriteCommand)
        .map((call) => call.args[0].input.RequestItems?.[TABLE]?.length)
      expect(sizes.every((size) => size !== undefined && size <= 25)).toBe(true)
      expect(sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0)).toBe(30 + 24)
    } finally {
      mock.restore()
      throttled.destroy()
    }
  })

  it('fails with the count when items stay unprocessed', async () => {
    const throttled = documentClient(dynamo.clientConfig)
    const mock = mockClient(throttled)
    mock
      .on(BatchWriteCommand)
      .callsFake(async (input: BatchWriteCommandInput) => ({ UnprocessedItems: input.RequestItems }))
    try {
      const failure = dynamoDeliveryLedger(throttled, TABLE, LEDGER_DAYS).record(records(3))
      await expect(failure).rejects.toBeInstanceOf(LedgerWriteError)
      await expect(failure).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/^3 ledger entries stayed unprocessed/) },
      })
    } finally {
      mock.restore()
      throttled.destroy()
    }
  })
})
