import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import {
  deadLetterQueueArnVariable,
  deadLetterQueueUrlVariable,
  queueArnVariable,
  queueUrlVariable,
} from '#shared/config/environment.ts'
import { VENDOR_IDS } from '#shared/vendors/index.ts'
import type { AdminEvent } from '../../functions/admin/handler.ts'
import { apiEvent, lambdaContext } from '../support/api-event.ts'
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'

const TABLE = 'admin-entry-config'
const CONSENT_TABLE = 'admin-entry-consent'
const USER_ARN = 'arn:aws:iam::123456789012:user/alice'

/** Nothing listens here: CloudWatch's oldest-age read fails at once and that figure is null. */
const UNREACHABLE_CLOUDWATCH = 'http://127.0.0.1:9'

let dynamo: DynamoDbLocal
let sqs: LocalSqs

beforeAll(async () => {
  dynamo = await startDynamoDbLocal([TABLE, CONSENT_TABLE])
  sqs = await startLocalSqs()
  for (const vendor of VENDOR_IDS) {
    // fauxqs names its queues on sqs.<region>.localhost; the function reaches them on loopback.
    const onLoopback = (url: string) => `${sqs.endpoint}${new URL(url).pathname}`
    const queueUrl = onLoopback(await sqs.createQueue(`entry-${vendor}`))
    const deadLetterQueueUrl = onLoopback(await sqs.createQueue(`entry-${vendor}-dlq`))
    vi.stubEnv(queueUrlVariable(vendor), queueUrl)
    vi.stubEnv(queueArnVariable(vendor), `arn:aws:sqs:us-east-1:000000000000:entry-${vendor}`)
    vi.stubEnv(deadLetterQueueUrlVariable(vendor), deadLetterQueueUrl)
    vi.stubEnv(deadLetterQueueArnVariable(vendor), `arn:aws:sqs:us-east-1:000000000000:entry-${vendor}-dlq`)
  }
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint)
  vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', UNREACHABLE_CLOUDWATCH)
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1')
  // The unreadable figures are reported as errors; this test is not about them.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT')
  const client = documentClient(dynamo.clientConfig)
  await seedVendorSettings(client, TABLE, { ga4: { enabled: true, measurementId: 'G-ENTRY1' } })
  client.destroy()
  vi.stubEnv(
    'TAGWARDEN_CONFIG_JSON',
    JSON.stringify({
      sites: [{ id: 'shop', writeKeys: ['entry-write-key-1'], allowedOrigins: ['https://shop.example'] }],
      production: true,
    }),
  )
  vi.stubEnv('CONFIG_TABLE_NAME', TABLE)
  // The visitor rights requests' parts (issue 10): the consent table and the pseudonym key.
  vi.stubEnv('CONSENT_TABLE_NAME', CONSENT_TABLE)
  vi.stubEnv('TAGWARDEN_PSEUDONYM_KEY', 'admin-entry-pseudonym-key')
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint)
  vi.stubEnv('AWS_REGION', dynamo.clientConfig.region)
  vi.stubEnv('AWS_ACCESS_KEY_ID', dynamo.clientConfig.credentials.accessKeyId)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', dynamo.clientConfig.credentials.secretAccessKey)
})

afterAll(async () => {
  vi.unstubAllEnvs()
  await dynamo?.close()
  await sqs?.close()
})

/** An HTTP API event as the IAM authorizer passes it on: the caller's ARN in the request context. */
function signedEvent(input: Parameters<typeof apiEvent>[0]): AdminEvent {
  const event = apiEvent(input)
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      authorizer: {
        iam: {
          accessKey: 'AKIAEXAMPLE',
          accountId: '123456789012',
          callerId: 'AIDAEXAMPLE',
          cognitoIdentity: null,
          principalOrgId: '',
          userArn: USER_ARN,
          userId: 'AIDAEXAMPLE',
        },
      },
    },
  }
}

describe('admin Lambda entry on DynamoDB Local', () => {
  it('switches a vendor off with its audit entry in one transaction, as the IAM principal', async () => {
    const { handler } = await import('../../functions/admin.ts')
    const disabled = await handler(
      signedEvent({
        method: 'POST',
        path: '/admin/vendors/ga4/disable',
        routeKey: 'POST /admin/vendors/{id}/disable',
        pathParameters: { id: 'ga4' },
        body: { reason: 'entry test' },
      }),
      lambdaContext(),
    )
    expect(disabled.statusCode).toBe(200)
    // Queue figures the local SQS cannot give are null: a status read never fails the change.
    expect(JSON.parse(disabled.body ?? '').vendor).toMatchObject({ enabled: false, revision: 1 })
    expect(disabled.headers).not.toHaveProperty('access-control-allow-origin')
    const audit = await handler(
      signedEvent({ method: 'GET', path: '/admin/audit', routeKey: 'GET /admin/audit' }),
      lambdaContext(),
    )
    expect(JSON.parse(audit.body ?? '').entries).toEqual([
      expect.objectContaining({
        principal: USER_ARN,
        action: 'vendor.disable',
        diff: [{ path: '/enabled', before: true, after: false }],
      }),
    ])
  })

  it('restricts a visitor on the consent table and tracks the request, as the IAM principal', async () => {
    const { handler } = await import('../../functions/admin.ts')
    const restricted = await handler(
      signedEvent({
        method: 'POST',
        path: '/admin/privacy/requests',
        routeKey: 'POST /admin/privacy/requests',
        body: { kind: 'restrict', siteId: 'shop', anonymousId: 'entry-visitor-1' },
      }),
      lambdaContext(),
    )
    expect(restricted.statusCode).toBe(200)
    expect(JSON.parse(restricted.body ?? '').result).toMatchObject({ restricted: true })
    const listed = await handler(
      signedEvent({
        method: 'GET',
        path: '/admin/privacy/requests',
        routeKey: 'GET /admin/privacy/requests',
      }),
      lambdaContext(),
    )
    expect(JSON.parse(listed.body ?? '').requests).toEqual([
      expect.objectContaining({ kind: 'restrict', siteId: 'shop', state: 'done', principal: USER_ARN }),
    ])
  })

  it('answers 401 to an event without an IAM principal', async () => {
    const { handler } = await import('../../functions/admin.ts')
    const result = await handler(
      apiEvent({ method: 'GET', path: '/admin/vendors', routeKey: 'GET /admin/vendors' }),
      lambdaContext(),
    )
    expect(result.statusCode).toBe(401)
  })
})
