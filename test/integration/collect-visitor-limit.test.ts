import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import { MAX_VISITORS_PER_REQUEST } from '#shared/events/limits.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'

const TABLE = 'consent-visitor-limit-test'
const PSEUDONYM_KEY = 'visitor-limit-pseudonym-key'
const WRITE_KEY = 'visitor-limit-write-key'
const ORIGIN = 'https://www.example.com'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const config = parseConfig({
  sites: [{ id: 'example', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-TEST123' } },
})

/** The real DynamoDB store, with a note of every read the collector asks of it. */
function countingStore(store: ConsentStore) {
  const reads = { current: 0, currentMany: [] as number[] }
  const counted: ConsentStore = {
    ...store,
    current: (key, now) => {
      reads.current++
      return store.current(key, now)
    },
    currentMany: (keys, now) => {
      reads.currentMany.push(keys.length)
      if (!store.currentMany) throw new Error('the DynamoDB store reads in batches')
      return store.currentMany(keys, now)
    },
  }
  return { counted, reads }
}

const batchOf = (visitors: number, eventsPerVisitor = 1) => ({
  batch: Array.from({ length: visitors * eventsPerVisitor }, (_, index) => ({
    type: 'page',
    anonymousId: `visitor-${index % visitors}`,
    messageId: `message-${index}`,
  })),
})

describe('collect: visitors per request', () => {
  let dynamo: EmbeddedDynamo
  let store: ConsentStore
  let queued: number

  const collect = async (body: unknown) => {
    const { counted, reads } = countingStore(store)
    const handler = createCollectHandler({
      config,
      consent: counted,
      dispatch: {
        enqueue: async (_vendor, messages) => {
          queued += messages.length
        },
      },
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: () => new Date(),
      reportError: (error) => {
        throw error
      },
    })
    const event = apiEvent({
      method: 'POST',
      path: '/v1/batch',
      body,
      headers: { authorization: basicAuthorization(WRITE_KEY), origin: ORIGIN, 'user-agent': BROWSER_UA },
    })
    return { response: await handler(event, lambdaContext()), reads }
  }

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    store = dynamoConsentStore(documentClient(dynamo.clientConfig), TABLE)
    await Promise.all(
      Array.from({ length: MAX_VISITORS_PER_REQUEST + 1 }, (_, index) =>
        store.record({
          consentKey: consentKey(PSEUDONYM_KEY, 'example', `visitor-${index}`),
          purposes: { analytics: true, marketing: false },
          policyVersion: '2018-05',
          receiptId: `receipt-${index}`,
          updatedAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
        }),
      ),
    )
  })
  afterAll(() => dynamo.close())

  it("reads each visitor's consent once, all in one batch read, however many events they send", async () => {
    queued = 0
    const { response, reads } = await collect(batchOf(3, 10))

    expect(response).toMatchObject({ statusCode: 200 })
    expect(reads).toEqual({ current: 0, currentMany: [3] })
    expect(queued).toBe(30)
  })

  it(`takes a server-side batch of ${MAX_VISITORS_PER_REQUEST} visitors`, async () => {
    queued = 0
    const { response, reads } = await collect(batchOf(MAX_VISITORS_PER_REQUEST))

    expect(response).toMatchObject({ statusCode: 200 })
    expect(reads.currentMany).toEqual([MAX_VISITORS_PER_REQUEST])
    expect(queued).toBe(MAX_VISITORS_PER_REQUEST)
  })

  it('refuses a batch of more visitors with 400 naming `batch` and the limit, before reading any consent', async () => {
    queued = 0
    const { response, reads } = await collect(batchOf(MAX_VISITORS_PER_REQUEST + 1))

    expect(response).toMatchObject({ statusCode: 400 })
    const body = typeof response === 'object' ? JSON.parse(response.body ?? '{}') : {}
    expect(body).toEqual({
      field: 'batch',
      error: expect.stringContaining(`at most ${MAX_VISITORS_PER_REQUEST} visitors`),
    })
    expect(reads).toEqual({ current: 0, currentMany: [] })
    expect(queued).toBe(0)
  })
})
