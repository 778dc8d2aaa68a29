import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import type { AdminEvent } from '../../functions/admin/handler.ts'
import { apiEvent, lambdaContext } from '../support/api-event.ts'
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local.ts'

const TABLE = 'admin-entry-config'
const USER_ARN = 'arn:aws:iam::123456789012:user/alice'

let dynamo: DynamoDbLocal

beforeAll(async () => {
  dynamo = await startDynamoDbLocal([TABLE])
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
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint)
  vi.stubEnv('AWS_REGION', dynamo.clientConfig.region)
  vi.stubEnv('AWS_ACCESS_KEY_ID', dynamo.clientConfig.credentials.accessKeyId)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', dynamo.clientConfig.credentials.secretAccessKey)
})

afterAll(async () => {
  vi.unstubAllEnvs()
  await dynamo?.close()
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

  it('answers 401 to an event without an IAM principal', async () => {
    const { handler } = await import('../../functions/admin.ts')
    const result = await handler(
      apiEvent({ method: 'GET', path: '/admin/vendors', routeKey: 'GET /admin/vendors' }),
      lambdaContext(),
    )
    expect(result.statusCode).toBe(401)
  })
})
