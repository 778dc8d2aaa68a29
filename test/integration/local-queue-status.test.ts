import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoLastDelivery } from '#shared/adapters/dynamodb-last-delivery.ts'
import type { Redriver, VendorStatusSource } from '#shared/admin/ports.ts'
import { parseConfig } from '#shared/config/load.ts'
import { localQueueStatus, localRedriver } from '../../local/queue-status.ts'
import type { LocalQueueSettings } from '../../local/queues.ts'
import { CONFIG_TABLE, type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { basicAuthorization } from '../support/api-event.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { visitorJar } from '../support/visitor-cookie.ts'

const WRITE_KEY = 'queue-status-write-key'
const ORIGIN = 'https://www.shop.example'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
/** Shortened timings (ms); a retried message would come back at once, so nothing waits on a clock. */
const FAST: LocalQueueSettings = {
  batchSize: 25,
  concurrency: 2,
  functionTimeoutMs: 2_000,
  visibilityTimeoutMs: 3_000,
  idlePollMs: 5,
  maxReceiveCount: 5,
  redeliverySecondMs: 1,
}

/**
 * Issue 9: the admin's status and redrive over the local queues. GA4 refuses a batch (400), so its
 * messages are dead-lettered; status counts them; a redrive sends them round again, where consent is
 * checked anew: the visitor who withdrew in the meantime is withheld, the other delivered.
 */
describe('local queue status and redrive', () => {
  let system: LocalSystem
  let ga4: CaptureServer
  let status: VendorStatusSource
  let redriver: Redriver
  let ga4Answers = 400
  const accepted: string[] = []

  const jar = visitorJar()
  const send = async (method: string, path: string, body: object, cookie: Record<string, string> = {}) => {
    const response = await fetch(`${system.url}${path}`, {
      method,
      headers: {
        authorization: basicAuthorization(WRITE_KEY),
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
        ...cookie,
      },
      body: JSON.stringify(body),
    })
    expect(response.status).toBe(200)
    return response
  }
  const consent = async (anonymousId: string, analytics: boolean) => {
    const body = { anonymousId, purposes: { analytics, marketing: false } }
    const response = await send('PUT', '/v1/consent', body, jar.headerFor(anonymousId))
    jar.keep(anonymousId, response.headers.get('set-cookie'))
  }
  const track = async (anonymousId: string, messageId: string) => {
    await send('POST', '/v1/track', { anonymousId, messageId, event: 'Kettle Viewed' })
    accepted.push(messageId)
  }
  const outcomesOf = (outcome: string) =>
    system.outbox.deliveries.toArray().filter((entry) => entry.vendor === 'ga4' && entry.outcome === outcome)

  beforeAll(async () => {
    ga4 = await startCaptureServer({ respond: () => ({ status: ga4Answers }) })
    system = await startLocalSystem({
      config: parseConfig({
        sites: [{ id: 'shop', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: { ga4: { enabled: true, measurementId: 'G-STATUS1' } },
      }),
      port: 0,
      pseudonymKey: 'queue-status-pseudonym-key',
      credentials: { ga4: JSON.stringify({ apiSecret: 'queue-status-secret' }) },
      vendorBaseUrl: ga4.url,
      trustProxy: false,
      print: () => {},
      queueSettings: FAST,
    })
    const client = documentClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    status = localQueueStatus({
      queues: system.queues,
      lastDelivery: dynamoLastDelivery(client, CONFIG_TABLE),
    })
    redriver = localRedriver(system.queues)
  })
  afterAll(async () => {
    await system?.close()
    await ga4?.close()
  })

  it('counts queued messages, then the dead letters of a refused batch', async () => {
    await consent('visitor-stays', true)
    await consent('visitor-withdraws', true)
    await system.queues.stop()
    for (const n of [1, 2, 3]) {
      await track('visitor-stays', `stays-${n}`)
      await track('visitor-withdraws', `withdraws-${n}`)
    }

    const queued = await status.statusOf('ga4')
    expect(queued.queue).toMatchObject({ depth: 6, inFlight: 0 })
    expect(queued.queue.oldestAgeSeconds).toBeGreaterThanOrEqual(0)
    expect(queued.deadLetters.count).toBe(0)
    expect(queued.lastDelivery).toBeNull()

    system.queues.start()
    await system.queues.drained()

    const refused = await status.statusOf('ga4')
    expect(refused.queue).toEqual({ depth: 0, inFlight: 0, oldestAgeSeconds: null })
    expect(refused.deadLetters.count).toBe(6)
    expect(refused.lastDelivery).toMatchObject({
      outcome: 'dead-lettered',
      detail: expect.stringContaining('ga4 answered 400'),
    })
  })

  it('redrives the dead letters, re-checking consent: delivered or withheld, none lost', async () => {
    await consent('visitor-withdraws', false)
    ga4Answers = 204
    const requestsBefore = ga4.requests.length

    const { moving } = await redriver.redrive('ga4')
    await system.queues.drained()

    expect(moving).toBe(6)
    const after = await status.statusOf('ga4')
    expect(after.deadLetters.count).toBe(0)
    expect(after.queue).toEqual({ depth: 0, inFlight: 0, oldestAgeSeconds: null })
    const delivered = outcomesOf('delivered').map((entry) => entry.messageId)
    const withheld = outcomesOf('withheld').map((entry) => entry.messageId)
    expect(delivered.sort()).toEqual(['stays-1', 'stays-2', 'stays-3'])
    expect(withheld.sort()).toEqual(['withdraws-1', 'withdraws-2', 'withdraws-3'])
    expect(accepted).toHaveLength(delivered.length + withheld.length + (after.deadLetters.count ?? 0))
    const sentAfterRedrive = ga4.requests
      .slice(requestsBefore)
      .map((request) => request.body)
      .join('\n')
    expect(sentAfterRedrive).not.toContain('withdraws')
    expect(after.lastDelivery?.outcome).toBe('withheld')
  })
})
