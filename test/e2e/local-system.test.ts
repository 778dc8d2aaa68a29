import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { Analytics } from '@segment/analytics-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { validateGa4Request } from '../support/ga4-validator.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'
import { visitorCookieOf } from '../support/visitor-cookie.ts'

const WRITE_KEY = 'local-dev-key'
const VISITOR_IP = '198.51.100.77'
const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
const VISITORS = {
  consented: 'visitor-consented-1',
  unconsented: 'visitor-unconsented-2',
  revoked: 'visitor-revoked-3',
}

interface Outbox {
  decisions: Array<{
    messageId: string
    vendor: string | null
    allow: boolean
    reason: string
    redactions?: Array<{ field: string; kind: string; detector: string; action: string }>
  }>
  queued: unknown[]
  deliveries: Array<{ messageId: string; outcome: string }>
}

describe('the local system end to end, with the real Segment client and a loopback GA4', () => {
  let ga4: CaptureServer
  let system: LocalProcess

  const consent = (method: 'PUT' | 'DELETE', body?: object, visitor = '', cookie?: string) =>
    fetch(`${system.url}/v1/consent${visitor ? `/${visitor}` : ''}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        'content-type': 'application/json',
        ...(cookie ? { cookie } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
  const outbox = async (): Promise<Outbox> =>
    (await fetch(`${system.url}/__tagwarden/outbox`)).json() as Promise<Outbox>

  beforeAll(async () => {
    ga4 = await startCaptureServer()
    system = await startLocalProcess({
      TAGWARDEN_VENDOR_BASE_URL: ga4.url,
      TAGWARDEN_TRUST_PROXY: '1',
      GA4_API_SECRET: 'e2e-ga4-secret',
    })

    expect(
      (await consent('PUT', { anonymousId: VISITORS.consented, purposes: { analytics: true } })).status,
    ).toBe(200)
    const revokedConsent = await consent('PUT', {
      anonymousId: VISITORS.revoked,
      purposes: { analytics: true },
    })
    expect(revokedConsent.status).toBe(200)
    const revokedCookie = visitorCookieOf(revokedConsent.headers.get('set-cookie'))
    expect((await consent('DELETE', undefined, VISITORS.revoked, revokedCookie)).status).toBe(200)

    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: system.url,
      flushAt: 20,
      httpClient: (url, init) =>
        fetch(url, { ...init, headers: { ...init.headers, 'x-forwarded-for': `${VISITOR_IP}, 10.0.0.1` } }),
    })
    for (const [label, anonymousId] of Object.entries(VISITORS)) {
      const context = {
        userAgent: BROWSER_UA,
        page: { url: `https://www.example.com/pricing?email=${label}@example.com` },
      }
      analytics.page({ anonymousId, name: 'Pricing', properties: { title: `Pricing for ${label}` }, context })
      analytics.track({
        anonymousId,
        event: `Signup ${label}`,
        properties: { plan: 'pro', contact: 'jane.doe@example.com' },
        context,
      })
    }
    await analytics.closeAndFlush({ timeout: 10_000 })

    await eventually(async () => {
      const { queued, deliveries } = await outbox()
      return queued.length > 0 && deliveries.length >= queued.length ? true : undefined
    })
  }, 60_000)

  afterAll(async () => {
    await system?.stop()
    await ga4?.close()
  })

  it('delivers the consented visitor’s page view and event to GA4, in valid Measurement Protocol requests', () => {
    const events = ga4.requests.flatMap(
      (request) => JSON.parse(request.body).events as Array<{ name: string }>,
    )
    expect(events.map((event) => event.name).sort()).toEqual(['page_view', 'signup_consented'])
    for (const request of ga4.requests) {
      expect(request.path).toBe('/mp/collect')
      expect(validateGa4Request(request, { allowHost: new URL(ga4.url).host })).toEqual([])
    }
  })

  it('shows in the outbox what the PII policy removed, naming field, detector and action but no value', async () => {
    const { decisions } = await outbox()
    const redactions = decisions.flatMap((decision) => decision.redactions ?? [])
    expect(redactions).toContainEqual({
      field: 'properties.contact',
      kind: 'propertyValue',
      detector: 'email',
      action: 'removed',
    })
    expect(redactions).toContainEqual({
      field: 'context.page.url.query',
      kind: 'queryKey',
      detector: 'key-name',
      action: 'removed',
    })
    expect(JSON.stringify(redactions)).not.toContain('@example.com')
  })

  it('forwards nothing for the unconsented and the revoked visitor, and says why', async () => {
    const { decisions } = await outbox()
    const bodies = ga4.requests.map((request) => request.body).join('\n')
    expect(bodies).not.toContain('signup_unconsented')
    expect(bodies).not.toContain('signup_revoked')
    const reasons = decisions.filter((decision) => !decision.allow).map((decision) => decision.reason)
    expect(reasons).toContain('no stored consent for analytics')
    expect(reasons).toContain('stored consent refuses analytics')
  })

  it('answers a CORS preflight for a configured origin only, admitting analytics.js’s retry header', async () => {
    const preflight = (origin: string) =>
      fetch(`${system.url}/v1/batch`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-retry-count',
        },
      })
    const allowed = await preflight('http://localhost:3000')
    const foreign = await preflight('https://evil.example')
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-retry-count')
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
    expect(foreign.status).toBe(403)
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull()
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('never lets the raw IP, the visitor id or an e-mail reach a vendor request, queue message, table item or log line', async () => {
    const dynamo = new DynamoDBClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    const items = await dynamo.send(new ScanCommand({ TableName: 'tagwarden-consent' }))
    dynamo.destroy()
    const places = {
      'vendor requests': JSON.stringify(ga4.requests),
      'queue messages': JSON.stringify((await outbox()).queued),
      'table items': JSON.stringify(items.Items),
      'log lines': system.output(),
    }
    for (const [place, text] of Object.entries(places)) {
      expect(text, place).not.toContain(VISITOR_IP)
      expect(text, place).not.toContain('@example.com')
      if (place !== 'log lines') expect(text, place).not.toContain(VISITORS.consented)
    }
    expect(items.Items?.length).toBeGreaterThan(0)
  })
})

describe('npm start with a broken configuration file', () => {
  it('exits at once with an error naming the bad field', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tagwarden-')), 'config.json')
    writeFileSync(
      path,
      JSON.stringify({ sites: [{ id: 'www', writeKeys: [], allowedOrigins: ['https://www.example.com'] }] }),
    )
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      env: { ...process.env, PORT: '0', TAGWARDEN_CONFIG: path },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain('sites.0.writeKeys')
  })
})
