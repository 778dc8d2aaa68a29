import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoVendorSettingsSource } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { ADMIN_ROUTES, LOCAL_ADMIN_PRINCIPAL } from '#shared/admin/api.ts'
import { composeAdmin } from '../../functions/admin/compose.ts'
import { createAdminHandler } from '../../functions/admin/handler.ts'
import { developmentConfig } from '../../local/dev-config.ts'
import { dynaliteTransactWrite } from '../../local/dynalite-transactions.ts'
import { CONFIG_TABLE, type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { apiEvent, lambdaContext } from '../support/api-event.ts'
import { rawRequest } from '../support/raw-http.ts'

const TOKEN = 'admin-api-test-token-0123456789abcdef'
/** Any JSON object answer; the assertions say what it must hold. */
const jsonObject = z.record(z.string(), z.any())
const GA4 = { enabled: true, measurementId: 'G-LOCALDEV', endpoint: 'eu' }

describe('the admin API through the local system, over real HTTP', () => {
  let system: LocalSystem
  const lines: string[] = []

  beforeAll(async () => {
    system = await startLocalSystem({
      config: developmentConfig(),
      port: 0,
      adminPort: 0,
      adminToken: TOKEN,
      pseudonymKey: 'admin-api-test-pseudonym-key',
      trustProxy: false,
      print: (line) => lines.push(line),
    })
  })
  afterAll(() => system?.close())

  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const response = await fetch(`${system.adminUrl}${path}`, {
      method,
      headers: {
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: jsonObject.parse(await response.json()) }
  }
  const storedSettings = async () => {
    const client = documentClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    try {
      return await dynamoVendorSettingsSource(client, CONFIG_TABLE).readAll()
    } finally {
      client.destroy()
    }
  }

  it('answers 401 on every admin route without the token or with a wrong one, and changes nothing', async () => {
    for (const route of ADMIN_ROUTES) {
      const path = route.path.replace('{id}', 'ga4')
      const body = route.method === 'GET' ? undefined : {}
      for (const token of [null, 'wrong-token', `${TOKEN}x`]) {
        const answer = await call(route.method, path, body, token)
        expect(answer.status, `${route.method} ${path} with ${token}`).toBe(401)
        expect(answer.body.error).toMatch(/token/)
      }
    }
    expect((await storedSettings()).ga4).toMatchObject({ enabled: true })
    expect((await call('GET', '/admin/audit')).body).toEqual({ entries: [] })
  })

  it('refuses a Host other than 127.0.0.1 or localhost (DNS rebinding)', async () => {
    const answer = await rawRequest(`${system.adminUrl}/admin/vendors`, {
      method: 'GET',
      headers: { host: 'attacker.example:8788', authorization: `Bearer ${TOKEN}` },
    })
    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body)).toMatchObject({ field: 'host' })
  })

  it('has the handler refuse an event without an IAM principal, before anything else', async () => {
    const client = documentClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    })
    const handler = createAdminHandler(
      composeAdmin({
        config: developmentConfig(),
        dynamo: client,
        configTable: CONFIG_TABLE,
        status: { statusOf: () => Promise.reject(new Error('must not be asked')) },
        redriver: { redrive: () => Promise.reject(new Error('must not be asked')) },
        transactWrite: dynaliteTransactWrite(client),
      }),
    )
    const event = apiEvent({
      method: 'POST',
      path: '/admin/vendors/ga4/disable',
      routeKey: 'POST /admin/vendors/{id}/disable',
      pathParameters: { id: 'ga4' },
      body: {},
    })
    const result = await handler(event, lambdaContext('admin-test'))
    client.destroy()
    expect(result.statusCode).toBe(401)
    expect(JSON.parse(result.body ?? '')).toHaveProperty('error')
    expect((await storedSettings()).ga4).toMatchObject({ enabled: true })
  })

  it('lists every vendor and shows one, with its switch, transfer, revision and status', async () => {
    const list = await call('GET', '/admin/vendors')
    expect(list.status).toBe(200)
    expect(list.body.takesEffectWithinSeconds).toBe(30)
    expect(list.body.vendors.map((vendor: { id: string }) => vendor.id)).toEqual([
      'ga4',
      'meta',
      'linkedin',
      'hubspot',
    ])
    const ga4 = await call('GET', '/admin/vendors/ga4')
    expect(ga4.body).toMatchObject({
      id: 'ga4',
      enabled: true,
      legalBasis: 'consent',
      transfer: { country: 'US', safeguard: 'dpf' },
      settings: GA4,
      revision: 0,
      status: { queue: { depth: 0 }, deadLetters: { count: 0 } },
    })
    const meta = await call('GET', '/admin/vendors/meta')
    expect(meta.body).toMatchObject({ enabled: false, settings: null, revision: 0 })
    expect((await call('GET', '/admin/vendors/nope')).status).toBe(404)
  })

  it('disables a vendor: stored settings switched off, and an audit entry with the principal and the diff', async () => {
    const answer = await call('POST', '/admin/vendors/ga4/disable', { reason: 'campaign over' })
    expect(answer.status).toBe(200)
    expect(answer.body.vendor).toMatchObject({ enabled: false, revision: 1 })
    expect((await storedSettings()).ga4).toMatchObject({ enabled: false, measurementId: 'G-LOCALDEV' })
    const audit = await call('GET', '/admin/audit')
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        principal: LOCAL_ADMIN_PRINCIPAL,
        action: 'vendor.disable',
        target: 'ga4',
        diff: [{ path: '/enabled', before: true, after: false }],
        reason: 'campaign over',
      }),
    ])
  })

  it('refuses settings its schema refuses, naming the field', async () => {
    const current = (await call('GET', '/admin/vendors/ga4')).body
    const bad = await call('PUT', '/admin/vendors/ga4', {
      settings: { ...current.settings, measurementId: 'UA-1' },
    })
    expect(bad).toMatchObject({ status: 400, body: { field: 'settings.measurementId' } })
    const unknown = await call('PUT', '/admin/vendors/ga4', {
      settings: { ...current.settings, colour: 'red' },
    })
    expect(unknown).toMatchObject({ status: 400, body: { field: 'settings.colour' } })
    const huge = { settings: current.settings, reason: 'x'.repeat(64 * 1024) }
    expect(await call('PUT', '/admin/vendors/ga4', huge)).toMatchObject({
      status: 413,
      body: { field: 'body' },
    })
    expect(await call('PUT', '/admin/vendors/ga4', '{"settings":')).toMatchObject({
      status: 400,
      body: { field: 'body' },
    })
  })

  it('refuses a change from a stale revision and accepts one from the current', async () => {
    const current = (await call('GET', '/admin/vendors/ga4')).body
    const settings = { ...current.settings, enabled: true }
    const stale = await call('PUT', '/admin/vendors/ga4', { settings, revision: current.revision - 1 })
    expect(stale.status).toBe(409)
    expect(stale.body.error).toMatch(/ga4/)
    const fresh = await call('PUT', '/admin/vendors/ga4', { settings, revision: current.revision })
    expect(fresh.status).toBe(200)
    expect(fresh.body.vendor).toMatchObject({ enabled: true, revision: current.revision + 1 })
  })

  it('refuses switching on a vendor outside the EU/EEA without a transfer safeguard', async () => {
    const current = (await call('GET', '/admin/vendors/ga4')).body
    const settings = { ...current.settings, transfer: { country: 'US', safeguard: 'none' } }
    const refused = await call('PUT', '/admin/vendors/ga4', { settings })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatch(/ga4.*safeguard/)
    expect((await call('GET', '/admin/vendors/ga4')).body.revision).toBe(current.revision)
  })

  it('publishes a policy version once and lists it as the one in force', async () => {
    const body = { version: '2026-03', effectiveAt: '2026-03-01T00:00:00Z', covers: { ga4: ['analytics'] } }
    const published = await call('POST', '/admin/policy-versions', body)
    expect(published.status).toBe(201)
    expect(published.body.audit).toMatchObject({ action: 'policy.publish', target: 'policy:2026-03' })
    expect((await call('POST', '/admin/policy-versions', body)).status).toBe(409)
    expect(
      await call('POST', '/admin/policy-versions', {
        ...body,
        version: '2026-04',
        covers: { bogus: ['analytics'] },
      }),
    ).toMatchObject({ status: 400, body: { field: 'covers.bogus' } })
    expect(
      await call('POST', '/admin/policy-versions', {
        ...body,
        version: '2026-02',
        effectiveAt: '2026-02-01T00:00:00Z',
      }),
    ).toMatchObject({ status: 400, body: { field: 'effectiveAt' } })
    const list = await call('GET', '/admin/policy-versions')
    expect(list.body.versions).toEqual([
      expect.objectContaining({ version: '2026-03', effectiveAt: '2026-03-01T00:00:00.000Z' }),
    ])
    expect(list.body.current).toMatchObject({ version: '2026-03' })
  })

  it('lists the audit trail between from and to, newest first, and refuses a backwards or too long range', async () => {
    const all = (await call('GET', '/admin/audit')).body.entries
    expect(all.map((entry: { action: string }) => entry.action)).toEqual([
      'policy.publish',
      'vendor.update',
      'vendor.disable',
    ])
    const [newest, , oldest] = all
    const since = await call('GET', `/admin/audit?from=${encodeURIComponent(newest.at)}`)
    expect(since.body.entries.map((entry: { id: string }) => entry.id)).toEqual([newest.id])
    const at = encodeURIComponent(oldest.at)
    const exactly = await call('GET', `/admin/audit?from=${at}&to=${at}`)
    expect(exactly.body.entries.map((entry: { id: string }) => entry.id)).toEqual([oldest.id])
    const tooLong = await call('GET', `/admin/audit?from=2020-01-01&to=${at}`)
    expect(tooLong).toMatchObject({ status: 400, body: { field: 'from' } })
    const backwards = await call('GET', '/admin/audit?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z')
    expect(backwards).toMatchObject({ status: 400, body: { field: 'from' } })
  })

  it('serves only the admin page files, nothing else from the directory', async () => {
    for (const path of ['/package.json', '/index.html', '/../local/system.ts']) {
      const answer = await fetch(`${system.adminUrl}${path}`)
      expect(answer.status, path).toBe(404)
    }
  })
})
