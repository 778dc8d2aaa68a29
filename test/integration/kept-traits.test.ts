import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '#shared/config/load.ts'
import { type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { basicAuthorization } from '../support/api-event.ts'
import { visitorJar } from '../support/visitor-cookie.ts'

const WRITE_KEY = 'kept-traits-write-key'
const ORIGIN = 'https://www.example.com'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

/**
 * Privacy requirement (issue 7): hashed identify traits are kept with the consent record only while the
 * visitor allows marketing, and go when marketing is withdrawn. Through the real handlers on dynalite.
 */
describe('hashed identify traits kept with the consent record', () => {
  let system: LocalSystem
  let dynamo: DynamoDBClient

  const jar = visitorJar()
  const send = (method: string, path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: {
        authorization: basicAuthorization(WRITE_KEY),
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
        ...headers,
      },
      body: JSON.stringify(body),
    })
  const consent = async (anonymousId: string, purposes: object) => {
    const response = await send('PUT', '/v1/consent', { anonymousId, purposes }, jar.headerFor(anonymousId))
    jar.keep(anonymousId, response.headers.get('set-cookie'))
    return response
  }
  const identify = (anonymousId: string, headers: Record<string, string> = {}) =>
    send('POST', '/v1/identify', { anonymousId, traits: { email: `${anonymousId}@example.org` } }, headers)
  const traitItems = async () => {
    const { Items } = await dynamo.send(new ScanCommand({ TableName: 'tagwarden-consent' }))
    return (Items ?? []).filter((item) => item.sk?.S === 'traits')
  }

  beforeAll(async () => {
    system = await startLocalSystem({
      config: parseConfig({
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: { meta: { enabled: true, pixelId: '1234567890' } },
      }),
      port: 0,
      pseudonymKey: 'kept-traits-pseudonym-key',
      trustProxy: false,
      print: () => {},
    })
    dynamo = new DynamoDBClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
  })
  afterAll(async () => {
    dynamo?.destroy()
    await system?.close()
  })

  it('keeps none for a visitor without marketing consent, or objecting with Sec-GPC', async () => {
    expect((await consent('analytics-only', { analytics: true, marketing: false })).status).toBe(200)
    expect((await consent('gpc-visitor', { analytics: true, marketing: true })).status).toBe(200)
    expect((await identify('no-consent')).status).toBe(200)
    expect((await identify('analytics-only')).status).toBe(200)
    expect((await identify('gpc-visitor', { 'sec-gpc': '1' })).status).toBe(200)

    expect(await traitItems()).toEqual([])
  })

  it('keeps the hashes (never the address) under marketing consent, with the consent’s expiry, and drops them when marketing is withdrawn', async () => {
    expect((await consent('marketing-visitor', { analytics: true, marketing: true })).status).toBe(200)
    expect((await identify('marketing-visitor')).status).toBe(200)
    const [kept] = await traitItems()
    expect(kept?.traits?.M?.email?.S).toMatch(/^[a-f0-9]{64}$/)
    expect(JSON.stringify(kept)).not.toContain('@example.org')
    expect(Number(kept?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000)

    expect((await consent('marketing-visitor', { analytics: true, marketing: false })).status).toBe(200)
    expect(await traitItems()).toEqual([])
  })
})
