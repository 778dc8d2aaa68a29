import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoVisitorItems } from '#shared/adapters/dynamodb-visitor-items.ts'
import { parseConfig } from '#shared/config/load.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { RightsState } from '#shared/rights/api.ts'
import { visitorExport } from '#shared/rights/export.ts'
import { CONSENT_TABLE, type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { sitePage } from '../support/site-page.ts'

const WRITE_KEY = 'export-write-key'
const ORIGIN = 'https://www.example.com'
const PSEUDONYM_KEY = 'export-pseudonym-key'
const VISITOR = { siteId: 'www', anonymousId: 'visitor-export-1' }
const EMAIL = 'ada.lovelace@example.org'

/** Access and portability (issue 10): the export holds everything the visitor's partition holds. */
describe('the visitor export after consent, identify and deliveries through the local system', () => {
  let system: LocalSystem
  let vendors: CaptureServer
  let client: ReturnType<typeof documentClient>

  const send = sitePage(() => system.url, { writeKey: WRITE_KEY, origin: ORIGIN })

  const partition = async () => {
    const { Items } = await client.send(
      new QueryCommand({
        TableName: CONSENT_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': consentKey(PSEUDONYM_KEY, VISITOR.siteId, VISITOR.anonymousId) },
        ConsistentRead: true,
      }),
    )
    return Items ?? []
  }

  beforeAll(async () => {
    vendors = await startCaptureServer()
    system = await startLocalSystem({
      config: parseConfig({
        sites: [{ id: VISITOR.siteId, writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-EXPORT1' },
          meta: { enabled: true, pixelId: '1234567890' },
        },
      }),
      port: 0,
      pseudonymKey: PSEUDONYM_KEY,
      vendorBaseUrl: vendors.url,
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
    await vendors?.close()
  })

  it('lists consent and its history, the hashed traits and every delivery, and nothing stored is missing', async () => {
    const { anonymousId } = VISITOR
    await send('PUT', '/v1/consent', { anonymousId, purposes: { analytics: true } })
    await send('PUT', '/v1/consent', { anonymousId, purposes: { analytics: true, marketing: true } })
    await send('POST', '/v1/identify', { anonymousId, messageId: 'id-1', traits: { email: EMAIL } })
    await send('POST', '/v1/track', {
      anonymousId,
      messageId: 'track-1',
      event: 'Kettle Viewed',
      properties: { colour: 'Heliotrope-Unique-Colour' },
      context: { page: { url: 'https://www.example.com/kettles/blue' } },
    })
    await system.queues.drained()
    expect(vendors.requests.length).toBeGreaterThanOrEqual(2)

    const exported = await visitorExport({
      items: dynamoVisitorItems(client, CONSENT_TABLE),
      pseudonymKey: PSEUDONYM_KEY,
      now: () => new Date(),
    }).export(VISITOR)

    expect(exported.anonymousId).toBe(anonymousId)
    expect(exported.consent.current?.purposes).toEqual({ analytics: true, marketing: true })
    expect(exported.consent.history.map((entry) => entry.purposes)).toEqual([
      { analytics: true, marketing: false },
      { analytics: true, marketing: true },
    ])
    expect(exported.traits).toEqual({ email: expect.stringMatching(/^[a-f0-9]{64}$/) })
    expect(exported.rights).toEqual<RightsState>({ restricted: false, objections: {} })
    const delivered = exported.deliveries.filter((entry) => entry.messageId === 'track-1')
    expect(delivered.map(({ vendor, outcome }) => [vendor, outcome]).sort()).toEqual([
      ['ga4', 'delivered'],
      ['meta', 'delivered'],
    ])
    const ats = exported.deliveries.map((entry) => entry.at)
    expect(ats).toEqual([...ats].sort().reverse())
    const text = JSON.stringify(exported)
    expect(text).not.toContain(EMAIL)
    expect(text).not.toContain('Heliotrope-Unique-Colour')

    // Every item of the partition has its place in the document.
    const items = await partition()
    expect(items.length).toBeGreaterThanOrEqual(6)
    for (const item of items) {
      const sk = String(item.sk)
      if (sk === 'current') expect(exported.consent.current?.receiptId).toBe(item.receiptId)
      else if (sk.startsWith('history#'))
        expect(exported.consent.history.map((entry) => entry.receiptId)).toContain(item.receiptId)
      else if (sk === 'traits') expect(exported.traits).toEqual(item.traits)
      else if (sk === 'session') expect(exported.session?.id).toBe(item.session?.id)
      else if (sk.startsWith('ledger#'))
        expect(exported.deliveries).toContainEqual({
          messageId: item.messageId,
          vendor: item.vendor,
          event: item.event,
          at: item.at,
          outcome: item.outcome,
        })
      else expect.unreachable(`an item the export does not list: ${sk}`)
    }
  })

  it('is empty for a visitor of whom nothing is stored', async () => {
    const exported = await visitorExport({
      items: dynamoVisitorItems(client, CONSENT_TABLE),
      pseudonymKey: PSEUDONYM_KEY,
      now: () => new Date(),
    }).export({ siteId: VISITOR.siteId, anonymousId: 'never-seen' })

    expect(exported).toEqual({
      generatedAt: expect.any(String),
      anonymousId: 'never-seen',
      consent: { current: null, history: [] },
      traits: null,
      rights: { restricted: false, objections: {} },
      deliveries: [],
    })
  })
})
