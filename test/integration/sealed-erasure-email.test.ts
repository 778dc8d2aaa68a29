import { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoErasureStore } from '#shared/adapters/dynamodb-erasure-store.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import { deliverRecords } from '#shared/delivery/deliver.ts'
import { visitorErasure } from '#shared/rights/erasure.ts'
import { bindVendor } from '#shared/vendors/adapter.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'
import { inMemoryConsent } from '../unit/delivery/fixtures.ts'

const TABLE = 'sealed-email-consent'
const PSEUDONYM_KEY = 'sealed-email-pseudonym-key'
const EMAIL = 'Grace.Hopper+Erase@Example.org'
const visitor = { siteId: 'shop', anonymousId: 'visitor-sealed-email' }

/** Every form an e-mail could be read in from a queue body. */
const FORMS = [
  EMAIL,
  EMAIL.toLowerCase(),
  encodeURIComponent(EMAIL.toLowerCase()),
  'grace.hopper',
  Buffer.from(EMAIL.toLowerCase()).toString('base64'),
  Buffer.from(EMAIL.toLowerCase()).toString('base64url'),
]

describe('an admin’s e-mail for HubSpot on its SQS queue', () => {
  let dynamo: EmbeddedDynamo
  let sqs: LocalSqs
  let sqsClient: SQSClient
  let hubspot: CaptureServer
  let queueUrl: string

  beforeAll(async () => {
    ;[dynamo, sqs, hubspot] = await Promise.all([
      startEmbeddedDynamo([TABLE]),
      startLocalSqs(),
      startCaptureServer({ respond: () => ({ status: 204 }) }),
    ])
    sqsClient = new SQSClient(sqs.clientConfig)
    queueUrl = await sqs.createQueue('tagwarden-hubspot')
  })
  afterAll(async () => {
    sqsClient?.destroy()
    await Promise.all([dynamo?.close(), sqs?.close(), hubspot?.close()])
  })

  it('is sealed on the queue in every form, and reaches HubSpot in clear at send time', async () => {
    const client = documentClient(dynamo.clientConfig)
    const store = dynamoErasureStore(client, TABLE)
    const erasure = visitorErasure({
      store,
      dispatch: sqsDispatch(sqsClient, { hubspot: queueUrl }),
      pseudonymKey: PSEUDONYM_KEY,
      now: () => new Date(),
      vendors: ['hubspot'],
    })
    const status = await erasure.erase(visitor, { email: EMAIL })

    const queued = await sqs.receiveAll(queueUrl)
    expect(queued).toHaveLength(1)
    const raw = JSON.stringify(queued)
    for (const form of FORMS) expect(raw.toLowerCase()).not.toContain(form.toLowerCase())

    const settings = hubspotVendor.settingsSchema.parse({ enabled: true, portalId: '1' })
    const adapter = bindVendor(
      hubspotVendor,
      settings,
      { accessToken: 'pat-sealed' },
      {
        now: () => new Date(),
        baseUrl: hubspot.url,
      },
    )
    const records = queued.map((message, index) => ({
      recordId: message.MessageId ?? `r${index}`,
      body: message.Body ?? '',
      receiveCount: 1,
    }))
    const result = await deliverRecords(records, {
      binding: () => ({
        adapter,
        policy: { id: 'hubspot', enabled: true, legalBasis: 'consent', purposes: adapter.purposes },
      }),
      consent: inMemoryConsent({}),
      sender: fetchSender(),
      deadLetters: { park: async () => {} },
      now: () => new Date(),
      erasures: { store, pseudonymKey: async () => PSEUDONYM_KEY },
    })

    expect(result.failedRecordIds).toEqual([])
    expect(hubspot.requests.map((request) => JSON.parse(request.body))).toEqual([
      { objectId: EMAIL.toLowerCase(), idProperty: 'email' },
    ])
    expect((await erasure.erasureStatus(visitor, status.erasureId))?.vendors.hubspot?.state).toBe('done')
    client.destroy()
  })
})
