import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoIdempotencyStore, MAX_BATCH_GET_KEYS } from '#shared/adapters/dynamodb-idempotency-store.ts'
import { sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { type IdempotencyStore, REFUSED_REASON, RESEND_REASON } from '#shared/ingest/idempotency.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'

const CONSENT_TABLE = 'consent-idempotency-test'
const IDEMPOTENCY_TABLE = 'idempotency-test'
const PSEUDONYM_KEY = 'idempotency-test-pseudonym-key'
const WRITE_KEY = 'site-write-key-1'
const ORIGIN = 'https://www.example.com'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const config = parseConfig({
  sites: [{ id: 'example', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-TEST123' } },
})

let dynamo: EmbeddedDynamo
let sqs: LocalSqs
let sqsClient: SQSClient
let consent: ConsentStore
let client: ReturnType<typeof documentClient>
let queueCounter = 0

beforeAll(async () => {
  ;[dynamo, sqs] = await Promise.all([
    startEmbeddedDynamo([CONSENT_TABLE, IDEMPOTENCY_TABLE]),
    startLocalSqs(),
  ])
  sqsClient = new SQSClient(sqs.clientConfig)
  client = documentClient(dynamo.clientConfig)
  consent = dynamoConsentStore(client, CONSENT_TABLE)
  for (const visitor of ['visitor-a', 'visitor-b'])
    await consent.record({
      consentKey: consentKey(PSEUDONYM_KEY, 'example', visitor),
      purposes: { analytics: true, marketing: false },
      policyVersion: '2018-05',
      receiptId: `receipt-${visitor}`,
      updatedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    })
})

afterAll(async () => {
  sqsClient.destroy()
  client.destroy()
  await Promise.all([dynamo.close(), sqs.close()])
})

async function collector(
  options: { idempotency?: IdempotencyStore; reportError?: (error: unknown) => void } = {},
) {
  const queueUrl = await sqs.createQueue(`ga4-idempotency-${++queueCounter}`)
  const decisions: DecisionRecord[] = []
  const handler = createCollectHandler({
    config,
    consent,
    dispatch: sqsDispatch(sqsClient, { ga4: queueUrl }),
    idempotency: options.idempotency ?? dynamoIdempotencyStore(client, IDEMPOTENCY_TABLE),
    pseudonymKey: PSEUDONYM_KEY,
    trustProxy: false,
    now: () => new Date(),
    onDecision: (decision) => decisions.push(decision),
    reportError: options.reportError ?? (() => {}),
  })
  const post = (batch: ReadonlyArray<{ messageId: string; anonymousId: string }>) =>
    handler(
      apiEvent({
        method: 'POST',
        path: '/v1/batch',
        body: { batch: batch.map((event) => ({ type: 'track', event: 'Signed Up', ...event })) },
        headers: { authorization: basicAuthorization(WRITE_KEY), origin: ORIGIN, 'user-agent': BROWSER_UA },
      }),
      lambdaContext(),
    )
  const queuedIds = async () =>
    (await sqs.receiveAll(queueUrl)).map((message) => JSON.parse(message.Body ?? '{}').messageId)
  return { queueUrl, decisions, post, queuedIds }
}

const answerOf = (result: unknown) => JSON.parse((result as { body: string }).body)
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2)}`

describe('collect with idempotency marks (dynalite, fauxqs)', () => {
  it("queues a client's resend of the same messageId once", async () => {
    const { post, queuedIds, decisions } = await collector()
    const messageId = unique('resent')

    const first = await post([{ messageId, anonymousId: 'visitor-a' }])
    const resend = await post([{ messageId, anonymousId: 'visitor-a' }])

    expect(answerOf(first)).toMatchObject({ accepted: 1, queued: 1, refused: 0 })
    expect(answerOf(resend)).toMatchObject({ accepted: 1, queued: 0, refused: 0 })
    expect(await queuedIds()).toEqual([messageId])
    expect(decisions.at(-1)).toEqual({ messageId, vendor: null, allow: false, reason: RESEND_REASON })
  })

  it("refuses another visitor's messageId with a reason and still queues the rest of the batch", async () => {
    const { post, queuedIds, decisions } = await collector()
    const taken = unique('taken')
    const other = unique('other')
    await post([{ messageId: taken, anonymousId: 'visitor-a' }])

    const result = await post([
      { messageId: taken, anonymousId: 'visitor-b' },
      { messageId: other, anonymousId: 'visitor-b' },
    ])

    expect(answerOf(result)).toMatchObject({ accepted: 2, queued: 1, refused: 1 })
    expect((await queuedIds()).sort()).toEqual([taken, other].sort())
    expect(decisions).toContainEqual({ messageId: taken, vendor: null, allow: false, reason: REFUSED_REASON })
  })

  it('queues on the resend an event whose first enqueue failed, and only once', async () => {
    const { post, queuedIds, queueUrl } = await collector()
    const messageId = unique('retried')
    const queueName = new URL(queueUrl).pathname.split('/').at(-1)
    await sqsClient.send(new DeleteQueueCommand({ QueueUrl: queueUrl }))

    const failed = await post([{ messageId, anonymousId: 'visitor-a' }])
    await sqsClient.send(new CreateQueueCommand({ QueueName: queueName }))
    const resend = await post([{ messageId, anonymousId: 'visitor-a' }])
    const again = await post([{ messageId, anonymousId: 'visitor-a' }])

    expect(failed).toMatchObject({ statusCode: 500 })
    expect(answerOf(resend)).toMatchObject({ queued: 1 })
    expect(answerOf(again)).toMatchObject({ queued: 0 })
    expect(await queuedIds()).toEqual([messageId])
  })

  it('answers 200 for queued events when their marks cannot be written, so the client does not resend them', async () => {
    const marks = dynamoIdempotencyStore(client, IDEMPOTENCY_TABLE)
    const reported: unknown[] = []
    const { post, queuedIds } = await collector({
      // DynamoDB throttling the mark writes: a fault dynalite cannot produce.
      idempotency: {
        queuedBy: marks.queuedBy,
        markQueued: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      },
      reportError: (error) => reported.push(error),
    })
    const messageId = unique('unmarked')

    const result = await post([{ messageId, anonymousId: 'visitor-a' }])

    expect(result).toMatchObject({ statusCode: 200 })
    expect(answerOf(result)).toMatchObject({ accepted: 1, queued: 1 })
    expect(await queuedIds()).toEqual([messageId])
    expect(reported).toHaveLength(1)
  })

  it('reads the marks of a batch larger than one BatchGetItem call', async () => {
    const { post, queuedIds } = await collector()
    const batch = Array.from({ length: MAX_BATCH_GET_KEYS + 20 }, (_, index) => ({
      messageId: unique(`bulk-${index}`),
      anonymousId: 'visitor-a',
    }))

    await post(batch)
    const resend = await post(batch)

    expect(answerOf(resend)).toMatchObject({ accepted: batch.length, queued: 0 })
    expect(await queuedIds()).toHaveLength(batch.length)
  })
})
