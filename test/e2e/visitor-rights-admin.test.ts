import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ga4ClientId } from '#shared/privacy/pseudonym.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'

const WRITE_KEY = 'rights-admin-e2e-write-key'
const ORIGIN = 'https://www.example.com'
const SITE = 'www'
const PSEUDONYM_KEY = 'rights-admin-e2e-pseudonym-key'
const ADMIN_TOKEN = 'rights-admin-e2e-admin-token-0123456789'
const HUBSPOT_TOKEN = 'pat-eu1-rights-admin-e2e'
const GDPR_DELETE = '/crm/v3/objects/contacts/gdpr-delete'
const EMAIL = 'Cy.Visitor+Shop@Example.org'
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })

interface Delivery {
  at: string
  vendor: string
  messageId: string
  outcome: string
  reason: string
}
interface Decision {
  messageId: string
  vendor: string | null
  allow: boolean
  reason: string
}
const FINAL = new Set(['delivered', 'withheld', 'dead-lettered'])

/**
 * An admin's rights requests through `npm start`, on its local admin API: HubSpot's deletion by the
 * e-mail the admin gives, and an erasure while GA4 is slow and failing, after which none of the visitor's
 * queued events is delivered once GA4 is back.
 */
describe('an admin’s visitor rights requests through npm start', () => {
  let vendors: CaptureServer
  let system: LocalProcess
  let adminUrl: string
  /** While set, GA4 holds its answers (a slow vendor), then answers them 503. */
  let ga4Held: Promise<void> | undefined

  const publicCall = async (method: string, path: string, body: object) => {
    const response = await fetch(`${system.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER,
      },
      body: JSON.stringify(body),
    })
    return response.status
  }
  const admin = async (method: string, path: string, body?: object) => {
    const response = await fetch(`${adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const outbox = async () =>
    (await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as {
      decisions: Decision[]
      deliveries: Delivery[]
    }
  const erase = (anonymousId: string, extra: object = {}) =>
    admin('POST', '/admin/privacy/requests', { kind: 'erase', siteId: SITE, anonymousId, ...extra })
  const listed = async (id: string) => {
    const { body } = await admin('GET', '/admin/privacy/requests')
    const requests = body.requests as Array<{ id: string; state: string; deadline: string }>
    return requests.find((request) => request.id === id)
  }

  beforeAll(async () => {
    vendors = await startCaptureServer({
      respond: (request) => {
        if (request.path === '/mp/collect')
          return ga4Held ? ga4Held.then(() => ({ status: 503 })) : { status: 204 }
        if (request.path.endsWith('/events')) return { status: 200, body: '{"events_received":1}' }
        if (request.path === '/token')
          return {
            status: 200,
            body: JSON.stringify({ access_token: 'ya29.rights-admin', expires_in: 3600 }),
          }
        if (request.path.endsWith(':submitUserDeletion')) return { status: 200, body: '{}' }
        return { status: 204 }
      },
    })
    system = await startLocalProcess({
      TAGWARDEN_CONFIG_JSON: JSON.stringify({
        sites: [{ id: SITE, writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-RIGHTSADM', propertyId: '456789012' },
          meta: { enabled: true, pixelId: '123456789012345' },
          hubspot: { enabled: true, portalId: '123456' },
        },
      }),
      TAGWARDEN_VENDOR_BASE_URL: vendors.url,
      TAGWARDEN_PSEUDONYM_KEY: PSEUDONYM_KEY,
      TAGWARDEN_ADMIN_TOKEN: ADMIN_TOKEN,
      TAGWARDEN_GA4_CREDENTIALS: JSON.stringify({
        apiSecret: 'rights-admin-api-secret',
        serviceAccount: {
          client_email: 'eraser@tagwarden-e2e.iam.gserviceaccount.com',
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          token_uri: `${vendors.url}/token`,
        },
      }),
      TAGWARDEN_META_CREDENTIALS: JSON.stringify({ accessToken: 'rights-admin-meta-token' }),
      TAGWARDEN_HUBSPOT_CREDENTIALS: JSON.stringify({ accessToken: HUBSPOT_TOKEN }),
    })
    adminUrl = await eventually(
      () => system.output().match(/admin API and page on (http:\/\/127\.0\.0\.1:\d+)\//)?.[1],
    )
  }, 60_000)

  afterAll(async () => {
    await system?.stop()
    await vendors?.close()
  })

  it('sends HubSpot a GDPR delete for the e-mail the admin gives, and keeps the e-mail nowhere', async () => {
    expect(await publicCall('PUT', '/v1/consent', { anonymousId: 'cy', purposes: { analytics: true } })).toBe(
      200,
    )

    const answer = await erase('cy', { email: EMAIL, reason: 'e-mail from the visitor, ticket 12' })
    expect(answer.status).toBe(200)
    const request = answer.body.request as { id: string }

    const deletion = await eventually(() => vendors.requests.find((r) => r.path === GDPR_DELETE), 20_000)
    expect(deletion.method).toBe('POST')
    expect(deletion.headers.authorization).toBe(`Bearer ${HUBSPOT_TOKEN}`)
    expect(JSON.parse(deletion.body)).toEqual({ objectId: EMAIL.toLowerCase(), idProperty: 'email' })
    const done = await eventually(async () => {
      const tracked = await listed(request.id)
      return tracked && tracked.state !== 'pending' ? tracked : undefined
    }, 20_000)
    expect(done.state).toBe('done')

    // Neither the process's output, the outbox nor the admin's list holds the e-mail in any form.
    const seen = [
      system.output(),
      JSON.stringify(await outbox()),
      JSON.stringify((await admin('GET', '/admin/privacy/requests')).body),
      JSON.stringify((await admin('GET', '/admin/audit')).body),
    ].join('\n')
    for (const form of [EMAIL, EMAIL.toLowerCase(), encodeURIComponent(EMAIL.toLowerCase()), 'cy.visitor'])
      expect(seen.toLowerCase()).not.toContain(form.toLowerCase())
  }, 60_000)

  it('withholds the visitor’s events queued while GA4 is slow: none is delivered after the erasure', async () => {
    const visitor = 'dee'
    const both = { analytics: true, marketing: true }
    expect(await publicCall('PUT', '/v1/consent', { anonymousId: visitor, purposes: both })).toBe(200)
    let releaseGa4 = () => {}
    ga4Held = new Promise((resolve) => {
      releaseGa4 = resolve
    })
    const clientId = ga4ClientId(PSEUDONYM_KEY, SITE, visitor)
    const ga4Requests = () =>
      vendors.requests.filter((r) => r.path === '/mp/collect' && r.body.includes(clientId))
    const messageIds = ['dee-1', 'dee-2', 'dee-3']
    for (const messageId of messageIds) {
      const status = await publicCall('POST', '/v1/track', {
        anonymousId: visitor,
        messageId,
        event: 'Order Completed',
        properties: { value: 9, currency: 'EUR' },
        context: { page: { url: `${ORIGIN}/checkout/done` } },
      })
      expect(status).toBe(200)
    }
    const ofVisitor = (deliveries: Delivery[]) => deliveries.filter((d) => messageIds.includes(d.messageId))
    // Meta takes them at once; GA4 is slow: its first batch hangs, the rest wait in its queue.
    await eventually(async () => {
      const mine = ofVisitor((await outbox()).deliveries)
      const metaDelivered = mine.filter((d) => d.vendor === 'meta' && d.outcome === 'delivered').length
      return metaDelivered === 3 && ga4Requests().length > 0 ? true : undefined
    }, 20_000)

    const erasedAt = new Date().toISOString()
    expect((await erase(visitor)).status).toBe(200)
    const ga4SentBefore = ga4Requests().length
    // GA4 answers the hung batch 503 and is then back: what is retried now meets the erasure.
    ga4Held = undefined
    releaseGa4()

    // Every message accepted for a vendor settles: delivered, withheld or dead-lettered.
    const { decisions, deliveries } = await eventually(async () => {
      const snapshot = await outbox()
      const accepted = snapshot.decisions.filter((d) => messageIds.includes(d.messageId) && d.allow)
      const settled = accepted.every((d) =>
        ofVisitor(snapshot.deliveries).some(
          (entry) => entry.vendor === d.vendor && entry.messageId === d.messageId && FINAL.has(entry.outcome),
        ),
      )
      return settled ? snapshot : undefined
    }, 30_000)
    const accepted = decisions.filter((d) => messageIds.includes(d.messageId) && d.allow)
    const finalOf = (d: Decision) =>
      ofVisitor(deliveries).find(
        (entry) => entry.vendor === d.vendor && entry.messageId === d.messageId && FINAL.has(entry.outcome),
      )
    const count = (outcome: string) => accepted.filter((d) => finalOf(d)?.outcome === outcome).length
    const trace = {
      accepted: accepted.length,
      delivered: count('delivered'),
      deadLettered: count('dead-lettered'),
      withheld: count('withheld'),
    }
    expect(trace.accepted).toBe(trace.delivered + trace.deadLettered + trace.withheld)
    expect(trace).toMatchObject({ delivered: 3, deadLettered: 0, withheld: accepted.length - 3 })
    expect(
      accepted.filter((d) => d.vendor === 'ga4').map((d) => `${finalOf(d)?.outcome}: ${finalOf(d)?.reason}`),
    ).toEqual(Array(3).fill('withheld: the visitor erased their data'))

    // Nothing delivered for the visitor once erased, and GA4, back up, got none of their events.
    expect(ofVisitor(deliveries).filter((d) => d.at >= erasedAt && d.outcome === 'delivered')).toEqual([])
    expect(
      vendors.requests.filter((r) => r.path === '/mp/collect' && r.body.includes(clientId)),
    ).toHaveLength(ga4SentBefore)
  }, 60_000)
})
