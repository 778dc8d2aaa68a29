import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoLastDelivery, VENDOR_STATUS_PARTITION } from '#shared/adapters/dynamodb-last-delivery.ts'
import { seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { parseConfig } from '#shared/config/load.ts'
import { ga4Vendor } from '#shared/vendors/ga4/index.ts'
import { composeDeliver } from '../../functions/deliver/compose.ts'
import { createDeliverHandler } from '../../functions/deliver/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { lambdaContext } from '../../local/lambda-context.ts'
import { CONFIG_TABLE, type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { sitePage } from '../support/site-page.ts'
import { parkedList, queuedMessage } from '../unit/delivery/fixtures.ts'

const WRITE_KEY = 'last-delivery-write-key'
const ORIGIN = 'https://www.shop.example'
const config = parseConfig({
  sites: [{ id: 'shop', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-LAST1' } },
})

const statusKey = (vendor: string) => ({ pk: VENDOR_STATUS_PARTITION, sk: vendor })

describe('the deliverer leaves its last batch outcome in the config table', () => {
  let system: LocalSystem
  let ga4: CaptureServer
  let client: ReturnType<typeof documentClient>

  const send = sitePage(() => system.url, { writeKey: WRITE_KEY, origin: ORIGIN })

  beforeAll(async () => {
    ga4 = await startCaptureServer()
    system = await startLocalSystem({
      config,
      port: 0,
      pseudonymKey: 'last-delivery-pseudonym-key',
      credentials: { ga4: JSON.stringify({ apiSecret: 'last-delivery-secret' }) },
      vendorBaseUrl: ga4.url,
      trustProxy: false,
      print: () => {},
    })
    client = documentClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
  })
  afterAll(async () => {
    client?.destroy()
    await system?.close()
    await ga4?.close()
  })

  it('writes one summary item per vendor: when and what, never a payload or a visitor value', async () => {
    await send('PUT', '/v1/consent', { anonymousId: 'visitor-7f3a', purposes: { analytics: true } })
    await send('POST', '/v1/track', { anonymousId: 'visitor-7f3a', messageId: 'm-1', event: 'Kettle Viewed' })
    await system.queues.drained()

    expect(ga4.requests).toHaveLength(1)
    const { Item } = await client.send(
      new GetCommand({ TableName: CONFIG_TABLE, Key: statusKey('ga4'), ConsistentRead: true }),
    )
    expect(Item).toEqual({ ...statusKey('ga4'), at: expect.any(String), outcome: 'delivered' })
    expect(JSON.stringify(Item)).not.toContain('visitor-7f3a')
    expect(await dynamoLastDelivery(client, CONFIG_TABLE).read('ga4')).toEqual({
      at: Item?.at,
      outcome: 'delivered',
    })
  })
})

/** The deployed deliverer's composition (functions/deliver.ts) on dynalite. */
describe('the composed deliverer and its last-delivery store', () => {
  const CONSENT = 'last-delivery-consent'
  const CONFIG = 'last-delivery-config'
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  const errors: unknown[] = []

  const deliverer = (options: { statusTable: string; secret: string | undefined }) =>
    createDeliverHandler(
      composeDeliver({
        vendor: ga4Vendor,
        dynamo: client,
        tables: { consent: CONSENT, config: CONFIG },
        policyVersion: '2018-05',
        credentials: async () => options.secret,
        sender: fetchSender(),
        deadLetters: parkedList(),
        redelivery: { delay: async () => {} },
        production: false,
        onOutcome: () => {},
        reportError: (error) => errors.push(error),
        lastDelivery: dynamoLastDelivery(client, options.statusTable),
      }),
    )
  /** A visitor without any consent record: the message is withheld, nothing is sent. */
  const batch = () => ({
    Records: [
      {
        messageId: 'sqs-1',
        receiptHandle: 'handle-1',
        body: JSON.stringify(queuedMessage({ consentKey: 'never-consented' })),
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
      },
    ],
  })
  const stored = () => dynamoLastDelivery(client, CONFIG).read('ga4')

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([CONSENT, CONFIG])
    client = documentClient(dynamo.clientConfig)
    await seedVendorSettings(client, CONFIG, config.vendors)
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  it('records a withheld batch with the reason', async () => {
    const answer = await deliverer({ statusTable: CONFIG, secret: '{"apiSecret":"s"}' })(
      batch(),
      lambdaContext('deliver'),
    )

    expect(answer).toEqual({ batchItemFailures: [] })
    const last = await stored()
    expect(last).toEqual({ at: expect.any(String), outcome: 'withheld', detail: expect.any(String) })
    expect(last?.detail).not.toContain('never-consented')
  })

  it('records a batch that failed as a whole (enabled without a secret), and still fails it', async () => {
    await expect(
      deliverer({ statusTable: CONFIG, secret: undefined })(batch(), lambdaContext('deliver')),
    ).rejects.toThrow(/secret is empty/)

    expect(await stored()).toMatchObject({
      outcome: 'failed',
      detail: expect.stringMatching(/secret is empty/),
    })
  })

  it('delivers the batch all the same when the outcome cannot be written, and reports why', async () => {
    errors.length = 0
    const answer = await deliverer({ statusTable: 'no-such-table', secret: '{"apiSecret":"s"}' })(
      batch(),
      lambdaContext('deliver'),
    )

    expect(answer).toEqual({ batchItemFailures: [] })
    expect(errors).toEqual([expect.objectContaining({ name: 'ResourceNotFoundException' })])
  })
})
