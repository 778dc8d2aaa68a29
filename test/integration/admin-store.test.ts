import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dynamoAdminStore } from '#shared/adapters/dynamodb-admin-store.ts'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoVendorSettingsSource, seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import type { AuditEntry } from '#shared/admin/api.ts'
import { storedAudit } from '#shared/admin/audit.ts'
import { type AdminStore, ConcurrentChangeError } from '#shared/admin/store.ts'
import { startEmbeddedDynamo } from '../../local/dynalite.ts'
import { dynaliteTransactWrite } from '../../local/dynalite-transactions.ts'
import { startDynamoDbLocal } from '../support/dynamodb-local.ts'

const TABLE = 'admin-config'
const AUDIT_DAYS = 2192

interface Backend {
  client: DynamoDBDocumentClient
  store: AdminStore
  close(): Promise<void>
}

const backends: Array<[string, () => Promise<Backend>]> = [
  [
    'DynamoDB Local (real transactions)',
    async () => {
      const server = await startDynamoDbLocal([TABLE])
      const client = documentClient(server.clientConfig)
      return { client, store: dynamoAdminStore(client, TABLE), close: () => server.close() }
    },
  ],
  [
    'dynalite with the local transaction stand-in',
    async () => {
      const server = await startEmbeddedDynamo([TABLE])
      const client = documentClient(server.clientConfig)
      const store = dynamoAdminStore(client, TABLE, { transactWrite: dynaliteTransactWrite(client) })
      return { client, store, close: () => server.close() }
    },
  ],
]

let sequence = 0
function entry(at: string, overrides: Partial<AuditEntry> = {}): AuditEntry {
  sequence++
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    at,
    principal: 'arn:aws:iam::123456789012:user/alice',
    action: 'vendor.disable',
    target: 'ga4',
    diff: [{ path: '/enabled', before: true, after: false }],
    ...overrides,
  }
}

const ga4 = (enabled: boolean) => ({ enabled, measurementId: 'G-STORE1' })

describe.each(backends)('the admin store on %s', (_name, start) => {
  let backend: Backend
  beforeAll(async () => {
    backend = await start()
  })
  afterAll(async () => {
    backend?.client.destroy()
    await backend?.close()
  })

  it('writes a vendor change and its audit entry together, with the next revision and the principal', async () => {
    const audit = entry('2026-05-04T10:00:00.000Z', { target: 'meta' })
    const { revision } = await backend.store.changeVendorSettings(
      {
        vendorId: 'meta',
        settings: { enabled: true, pixelId: '1' },
        expectedRevision: 0,
        at: audit.at,
        principal: audit.principal,
      },
      storedAudit(audit, AUDIT_DAYS),
    )
    expect(revision).toBe(1)
    expect(await backend.store.vendorSettingsOf('meta')).toEqual({
      vendorId: 'meta',
      settings: { enabled: true, pixelId: '1' },
      revision: 1,
      updatedAt: audit.at,
      updatedBy: audit.principal,
    })
    const listed = await backend.store.auditEntries({
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-05-31T00:00:00Z'),
      limit: 10,
    })
    expect(listed).toEqual([audit])
    // collect and deliver still read the item as before
    expect((await dynamoVendorSettingsSource(backend.client, TABLE).readAll()).meta).toEqual({
      enabled: true,
      pixelId: '1',
    })
  })

  it('refuses a change from a stale revision and writes neither the settings nor the audit entry', async () => {
    await seedVendorSettings(backend.client, TABLE, { ga4: ga4(true) })
    const first = entry('2026-06-01T09:00:00.000Z')
    await backend.store.changeVendorSettings(
      {
        vendorId: 'ga4',
        settings: ga4(false),
        expectedRevision: 0,
        at: first.at,
        principal: first.principal,
      },
      storedAudit(first, AUDIT_DAYS),
    )
    const stale = entry('2026-06-01T09:05:00.000Z', { action: 'vendor.enable' })
    const attempt = backend.store.changeVendorSettings(
      { vendorId: 'ga4', settings: ga4(true), expectedRevision: 0, at: stale.at, principal: stale.principal },
      storedAudit(stale, AUDIT_DAYS),
    )
    await expect(attempt).rejects.toBeInstanceOf(ConcurrentChangeError)
    const stored = await backend.store.vendorSettingsOf('ga4')
    expect(stored?.settings).toEqual(ga4(false))
    expect(stored?.revision).toBe(1)
    const june = await backend.store.auditEntries({
      from: new Date('2026-06-01T00:00:00Z'),
      to: new Date('2026-06-30T00:00:00Z'),
      limit: 10,
    })
    expect(june.map((item) => item.id)).toEqual([first.id])
  })

  it('writes no settings when the audit entry is the half refused (an entry id already taken)', async () => {
    const taken = entry('2026-06-10T10:00:00.000Z', {
      action: 'vendor.redrive',
      target: 'linkedin',
      diff: [],
    })
    await backend.store.appendAudit(storedAudit(taken, AUDIT_DAYS))
    const attempt = backend.store.changeVendorSettings(
      {
        vendorId: 'linkedin',
        settings: { enabled: false },
        expectedRevision: 0,
        at: taken.at,
        principal: taken.principal,
      },
      storedAudit(
        { ...taken, action: 'vendor.update', diff: [{ path: '/enabled', after: false }] },
        AUDIT_DAYS,
      ),
    )
    await expect(attempt).rejects.toMatchObject({ name: 'ConcurrentChangeError', failed: 'audit' })
    expect(await backend.store.vendorSettingsOf('linkedin')).toBeNull()
  })

  it('publishes a policy version once: the second publication is refused and leaves one audit entry', async () => {
    const version = {
      version: '2026-07',
      effectiveAt: '2026-07-15T00:00:00.000Z',
      publishedAt: '2026-07-01T08:00:00.000Z',
      covers: { ga4: ['analytics' as const] },
      summary: 'adds nothing',
    }
    const first = entry('2026-07-01T08:00:00.000Z', {
      action: 'policy.publish',
      target: 'policy:2026-07',
      diff: [],
    })
    await backend.store.publishPolicyVersion(version, storedAudit(first, AUDIT_DAYS))
    const again = entry('2026-07-01T08:01:00.000Z', {
      action: 'policy.publish',
      target: 'policy:2026-07',
      diff: [],
    })
    await expect(
      backend.store.publishPolicyVersion({ ...version, summary: 'changed' }, storedAudit(again, AUDIT_DAYS)),
    ).rejects.toMatchObject({ name: 'ConcurrentChangeError', failed: 'change' })
    expect(await backend.store.policyVersions()).toEqual([version])
    const july = await backend.store.auditEntries({
      from: new Date('2026-07-01T00:00:00Z'),
      to: new Date('2026-07-31T00:00:00Z'),
      limit: 10,
    })
    expect(july.map((item) => item.id)).toEqual([first.id])
  })

  it('lists audit entries across a month boundary, newest first, within from/to and the limit', async () => {
    const ats = [
      '2026-08-30T23:00:00.000Z',
      '2026-08-31T23:59:59.999Z',
      '2026-09-01T00:00:00.000Z',
      '2026-09-02T12:00:00.000Z',
    ]
    const written = ats.map((at) => entry(at, { action: 'vendor.redrive', diff: [] }))
    for (const item of written) await backend.store.appendAudit(storedAudit(item, AUDIT_DAYS))
    const from = new Date('2026-08-31T00:00:00.000Z')
    const to = new Date('2026-09-02T12:00:00.000Z')
    const listed = await backend.store.auditEntries({ from, to, limit: 10 })
    expect(listed.map((item) => item.at)).toEqual([ats[3], ats[2], ats[1]])
    const limited = await backend.store.auditEntries({ from, to, limit: 2 })
    expect(limited.map((item) => item.at)).toEqual([ats[3], ats[2]])
  })
})
