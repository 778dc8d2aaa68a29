import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'
import { visitorCookieOf } from '../support/visitor-cookie.ts'

const TABLE = 'consent-entry-test'
const WRITE_KEY = 'entry-write-key-1'
const PSEUDONYM_KEY = 'entry-test-pseudonym-key'
/** Holds the published policy versions the consent API reads (none here: the implicit one applies). */
const CONFIG_TABLE = 'entry-config'

let dynamo: EmbeddedDynamo

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo([TABLE, CONFIG_TABLE])
  vi.stubEnv(
    'TAGWARDEN_CONFIG_JSON',
    JSON.stringify({
      sites: [{ id: 'shop', writeKeys: [WRITE_KEY], allowedOrigins: ['https://shop.example'] }],
    }),
  )
  vi.stubEnv('CONSENT_TABLE_NAME', TABLE)
  vi.stubEnv('CONFIG_TABLE_NAME', CONFIG_TABLE)
  vi.stubEnv('TAGWARDEN_PSEUDONYM_KEY', PSEUDONYM_KEY)
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint)
  vi.stubEnv('AWS_REGION', dynamo.clientConfig.region)
  vi.stubEnv('AWS_ACCESS_KEY_ID', dynamo.clientConfig.credentials.accessKeyId)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', dynamo.clientConfig.credentials.secretAccessKey)
})

/** A broken invariant the handler cannot answer: an item that is not a consent decision. */
async function storeCorruptDecision(key: string): Promise<void> {
  const client = documentClient(dynamo.clientConfig)
  await client.send(
    new PutCommand({
      TableName: TABLE,
      Item: { pk: key, sk: 'current', purposes: 'all', expiresAt: Math.floor(Date.now() / 1000) + 3600 },
    }),
  )
  client.destroy()
}

afterAll(async () => {
  vi.unstubAllEnvs()
  await dynamo.close()
})

describe('consent Lambda entry', () => {
  it('builds its dependencies from the environment and serves a record-then-read round trip', async () => {
    const { handler } = await import('../../functions/consent.ts')
    const headers = { authorization: basicAuthorization(WRITE_KEY) }

    const recorded = await handler(
      apiEvent({
        method: 'PUT',
        path: '/v1/consent',
        headers,
        body: { anonymousId: 'visitor-1', purposes: { analytics: true } },
      }),
      lambdaContext(),
    )
    const cookie = visitorCookieOf(recorded.headers?.['set-cookie'])
    const read = await handler(
      apiEvent({ method: 'GET', path: '/v1/consent/visitor-1', headers, cookies: cookie ? [cookie] : [] }),
      lambdaContext(),
    )

    expect(recorded.statusCode).toBe(200)
    expect(JSON.parse(read.body ?? '')).toMatchObject({
      anonymousId: 'visitor-1',
      purposes: { analytics: true, marketing: false },
      policyVersion: '2018-05',
      history: [{ purposes: { analytics: true, marketing: false } }],
    })
  })

  it('logs an unexpected failure without the client IP or the visitor id', async () => {
    await storeCorruptDecision(consentKey(PSEUDONYM_KEY, 'shop', 'visitor-needle'))
    const logged: string[] = []
    const record = (chunk: unknown) => {
      logged.push(String(chunk))
      return true
    }
    const captures = [
      vi.spyOn(process.stdout, 'write').mockImplementation(record),
      vi.spyOn(process.stderr, 'write').mockImplementation(record),
    ]
    const { handler } = await import('../../functions/consent.ts')

    const response = await handler(
      apiEvent({
        method: 'GET',
        path: '/v1/consent/visitor-needle',
        headers: { authorization: basicAuthorization(WRITE_KEY) },
        sourceIp: '198.51.100.99',
      }),
      lambdaContext(),
    )
    for (const capture of captures) capture.mockRestore()

    expect(response.statusCode).toBe(500)
    const errorLines = logged.filter((line) => line.includes('consent request failed'))
    expect(errorLines).toHaveLength(1)
    expect(errorLines[0]).toContain('ConsentItemError')
    expect(logged.join('')).not.toContain('198.51.100.99')
    expect(logged.join('')).not.toContain('visitor-needle')
  })
})
