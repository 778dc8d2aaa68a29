import { createHash } from 'node:crypto'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import type { VendorPolicy } from '#shared/consent/decide.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { VendorAdapter } from '#shared/vendors/adapter.ts'
import { createDeliverHandler } from '../../functions/deliver/handler.ts'
import { lambdaContext } from '../../local/lambda-context.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { ga4Adapter, toGa4Payload } from '../support/ga4.ts'
import {
  consentRecord,
  GA4_POLICY,
  inMemoryConsent,
  parkedList,
  queuedMessage,
} from '../unit/delivery/fixtures.ts'
import { collectedEvent, GA4_CONFIG, GA4_CONTEXT, NOW } from '../unit/vendors/fixtures.ts'

let vendor: CaptureServer | undefined

afterEach(async () => {
  await vendor?.close()
  vendor = undefined
})

/** An SQS record as Lambda's event source mapping delivers it. */
function sqsRecord(sqsMessageId: string, message: VendorMessage | string): SQSRecord {
  const body = typeof message === 'string' ? message : JSON.stringify(message)
  return {
    messageId: sqsMessageId,
    receiptHandle: `handle-${sqsMessageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(NOW.getTime()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(NOW.getTime()),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:tagwarden-ga4',
    awsRegion: 'eu-central-1',
  }
}

/** A message for the visitor whose GA4 client id is `clientId`. */
const messageFor = (messageId: string, clientId: string): VendorMessage =>
  queuedMessage({
    messageId,
    payload: toGa4Payload(collectedEvent({ messageId }), { ...GA4_CONTEXT, clientId }),
  })

describe('deliver handler', () => {
  it('reports exactly the records whose request failed as batch item failures', async () => {
    vendor = await startCaptureServer({
      respond: (request) =>
        request.body.includes('"client_id":"500.500"') ? { status: 503 } : { status: 204 },
    })
    const handler = createDeliverHandler({
      binding: bound(ga4Adapter(GA4_CONFIG, 'secret', { baseUrl: vendor.url, now: () => NOW }), GA4_POLICY),
      consent: inMemoryConsent({
        'consent-key-a': consentRecord('consent-key-a', true),
        'consent-key-revoked': consentRecord('consent-key-revoked', false),
      }),
      sender: fetchSender(),
      deadLetters: parkedList(),
      now: () => NOW,
    })
    const event: SQSEvent = {
      Records: [
        sqsRecord('sqs-1', messageFor('a', '111.111')),
        sqsRecord('sqs-2', messageFor('b', '500.500')),
        sqsRecord('sqs-3', messageFor('c', '500.500')),
        sqsRecord('sqs-4', { ...messageFor('d', '500.500'), consentKey: 'consent-key-revoked' }),
        sqsRecord('sqs-5', 'garbage'),
      ],
    }

    const response = await handler(event, lambdaContext('tagwarden-deliver-ga4'))

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'sqs-2' }, { itemIdentifier: 'sqs-3' }],
    })
    expect(vendor.requests).toHaveLength(2)
  })

  it('answers an empty failure list when everything went', async () => {
    vendor = await startCaptureServer()
    const handler = createDeliverHandler({
      binding: bound(ga4Adapter(GA4_CONFIG, 'secret', { baseUrl: vendor.url, now: () => NOW }), GA4_POLICY),
      consent: inMemoryConsent({ 'consent-key-a': consentRecord('consent-key-a', true) }),
      sender: fetchSender(),
      deadLetters: parkedList(),
      now: () => NOW,
    })

    const response = await handler(
      { Records: [sqsRecord('sqs-1', queuedMessage())] },
      lambdaContext('deliver'),
    )

    expect(response).toEqual({ batchItemFailures: [] })
  })
})

/** A binding that never changes: the adapter built once, with its policy. */
function bound<P>(adapter: VendorAdapter<P>, policy: VendorPolicy) {
  return () => ({ adapter, policy })
}
