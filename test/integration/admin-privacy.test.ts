import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sitePage } from '../support/site-page.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { parseConfig } from '#shared/config/load.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import {
  CONFIG_TABLE,
  CONSENT_TABLE,
  IDEMPOTENCY_TABLE,
  type LocalSystem,
  startLocalSystem,
} from '../../local/system.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'

const TOKEN = 'admin-privacy-test-token-0123456789abcdef'
const WRITE_KEY = 'admin-privacy-write-key'
const ORIGIN = 'https://www.shop.example'
const SITE = 'shop'
const PSEUDONYM_KEY = 'admin-privacy-pseudonym-key'
const HUBSPOT_TOKEN = 'pat-eu1-admin-privacy-test'
const VISITOR = 'visitor-admin-privacy-7f3a'
const EMAIL = 'Ada.Lovelace@Example.org'
const jsonObject = z.record(z.string(), z.any())
const requestSchema = z.object({
  id: z.string(),
  kind: z.string(),
  siteId: z.string(),
  consentKey: z.string(),
  requestedAt: z.string(),
  deadline: z.string(),
  state: z.string(),
  erasureId: z.optional(z.string()),
})
const listSchema = z.object({ requests: z.array(requestSchema) })

const config = parseConfig({
  sites: [{ id: SITE, writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: {
    ga4: { enabled: true, measurementId: 'G-ADMINPRIV' },
    hubspot: { enabled: true, portalId: '123456' },
  },
})

const DAY_MS = 24 * 60 * 60 * 1000

/** Due one calendar month after it was made: the next month, 28 to 31 days later, the same time of day. */
function isOneMonthAfter(deadline: string, requestedAt: string): boolean {
  const due = new Date(deadline)
  const made = new Date(requestedAt)
  const days = (due.getTime() - made.getTime()) / DAY_MS
  return (
    (due.getUTCMonth() - made.getUTCMonth() + 12) % 12 === 1 &&
    Number.isInteger(days) &&
    days >= 28 &&
    days <= 31
  )
}

describe('an admin runs a visitor’s rights requests through the local system', () => {
  let system: LocalSystem
  let vendors: CaptureServer
  let client: ReturnType<typeof documentClient>

  const publicCall = sitePage(() => system.url, { writeKey: WRITE_KEY, origin: ORIGIN })

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${system.adminUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: jsonObject.parse(await response.json()) }
  }
  const run = (kind: string, extra: object = {}) =>
    admin('POST', '/admin/privacy/requests', { kind, siteId: SITE, anonymousId: VISITOR, ...extra })
  const scan = async (table: string) => {
    const { Items } = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))
    return Items ?? []
  }

  beforeAll(async () => {
    vendors = await startCaptureServer({ respond: () => ({ status: 204 }) })
    system = await startLocalSystem({
      config,
      port: 0,
      adminPort: 0,
      adminToken: TOKEN,
      pseudonymKey: PSEUDONYM_KEY,
      credentials: {
        ga4: JSON.stringify({ apiSecret: 'admin-privacy-api-secret' }),
        hubspot: JSON.stringify({ accessToken: HUBSPOT_TOKEN }),
      },
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

  it('refuses a bad request naming the field, and changes nothing', async () => {
    const cases: Array<[object, string]> = [
      [{ kind: 'forget', siteId: SITE, anonymousId: VISITOR }, 'kind'],
      [{ kind: 'export', siteId: 'elsewhere', anonymousId: VISITOR }, 'siteId'],
      [{ kind: 'export', siteId: SITE, anonymousId: '' }, 'anonymousId'],
      [{ kind: 'erase', siteId: SITE, anonymousId: VISITOR, email: 'not-an-address' }, 'email'],
      [{ kind: 'export', siteId: SITE, anonymousId: VISITOR, email: EMAIL }, 'email'],
      [{ kind: 'export', siteId: SITE, anonymousId: VISITOR, reason: 'x'.repeat(501) }, 'reason'],
      [{ kind: 'export', siteId: SITE, anonymousId: VISITOR, extra: 1 }, 'extra'],
    ]
    for (const [body, field] of cases) {
      const answer = await admin('POST', '/admin/privacy/requests', body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.body.field).toBe(field)
    }
    expect((await admin('GET', '/admin/privacy/requests')).body).toEqual({ requests: [] })
  })

  it('exports, restricts and erases, tracks each with its deadline, and keeps neither the visitor id nor the e-mail', async () => {
    await publicCall('PUT', '/v1/consent', {
      anonymousId: VISITOR,
      purposes: { analytics: true, marketing: true },
    })
    await publicCall('POST', '/v1/page', { anonymousId: VISITOR, messageId: 'admin-priv-1', name: 'Kettles' })
    await system.queues.drained()

    const exported = await eventually(async () => {
      const answer = await run('export', { reason: 'ticket 41: the visitor asked by e-mail' })
      return answer.body.result?.deliveries?.length > 0 ? answer : undefined
    })
    expect(exported.status).toBe(200)
    expect(exported.body.result.anonymousId).toBe(VISITOR)
    expect(exported.body.result.deliveries).toContainEqual(
      expect.objectContaining({ messageId: 'admin-priv-1', vendor: 'ga4', outcome: 'delivered' }),
    )

    const restricted = await run('restrict')
    expect(restricted.status).toBe(200)
    expect(restricted.body.result).toMatchObject({ restricted: true })

    const erased = await run('erase', { email: EMAIL, reason: 'ticket 41' })
    expect(erased.status).toBe(200)
    expect(erased.body.result).toMatchObject({ state: 'pending', erasureId: expect.any(String) })
    await system.queues.drained()
    const gdprDelete = vendors.requests.find(
      (request) => request.path === '/crm/v3/objects/contacts/gdpr-delete',
    )
    expect(JSON.parse(gdprDelete?.body ?? '{}')).toEqual({
      objectId: 'ada.lovelace@example.org',
      idProperty: 'email',
    })

    const key = consentKey(PSEUDONYM_KEY, SITE, VISITOR)
    const { requests } = listSchema.parse(
      await eventually(async () => {
        const list = listSchema.parse((await admin('GET', '/admin/privacy/requests')).body)
        return list.requests.every((request) => request.state !== 'pending') ? list : undefined
      }),
    )
    expect(requests.map((request) => request.kind)).toEqual(['erase', 'restrict', 'export'])
    for (const request of requests) {
      expect(request).toMatchObject({ siteId: SITE, consentKey: key })
      expect(isOneMonthAfter(request.deadline, request.requestedAt), request.deadline).toBe(true)
    }
    expect(requests[0]?.erasureId).toBe(erased.body.result.erasureId)

    const { entries } = z
      .object({ entries: z.array(jsonObject) })
      .parse((await admin('GET', '/admin/audit')).body)
    expect(entries.map((entry) => entry.action)).toEqual([
      'privacy.erase',
      'privacy.restrict',
      'privacy.export',
    ])
    for (const entry of entries)
      expect(entry).toMatchObject({ target: `site:${SITE}`, principal: 'local:admin' })
    expect(entries[2]?.reason).toBe('ticket 41: the visitor asked by e-mail')

    for (const table of [CONSENT_TABLE, CONFIG_TABLE, IDEMPOTENCY_TABLE]) {
      const stored = JSON.stringify(await scan(table)).toLowerCase()
      expect(stored, table).not.toContain(VISITOR)
      expect(stored, table).not.toContain('ada.lovelace')
    }
    expect(JSON.stringify(system.outbox.toJSON()).toLowerCase()).not.toContain('ada.lovelace')
  })

  it('lists the requests as a table from the CLI, run as a child process', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/tagwarden.js', 'admin', 'privacy', 'list', '--url', system.adminUrl, '--token', TOKEN],
      { cwd: process.cwd() },
    )
    const [header, ...rows] = stdout.trim().split('\n')
    expect(header?.split(/\s{2,}/)).toEqual(['REQUESTED', 'KIND', 'SITE', 'STATE', 'DEADLINE'])
    expect(rows.map((row) => row.split(/\s{2,}/)[1])).toEqual(['erase', 'restrict', 'export'])
    expect(stdout).not.toContain(VISITOR)
  })
})
