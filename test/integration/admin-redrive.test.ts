import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dynamoAdminStore } from '#shared/adapters/dynamodb-admin-store.ts'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { RedriveInProgressError, type Redriver, type VendorStatusSource } from '#shared/admin/ports.ts'
import * as Admin from '#shared/admin/service.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { dynaliteTransactWrite } from '../../local/dynalite-transactions.ts'

const TABLE = 'admin-redrive-config'
const PRINCIPAL = 'arn:aws:iam::123456789012:role/ops'

/** Dead letters per vendor, moved back on redrive; one vendor's move is already under way. */
function inProcessPipelines(): VendorStatusSource & Redriver & { deadLetters: Map<VendorId, number> } {
  const deadLetters = new Map<VendorId, number>([['meta', 3]])
  return {
    deadLetters,
    async statusOf(vendor) {
      if (vendor === 'linkedin') throw new Error('CloudWatch unavailable')
      return {
        queue: { depth: 0, inFlight: 0, oldestAgeSeconds: null },
        deadLetters: { count: deadLetters.get(vendor) ?? 0 },
        lastDelivery: null,
      }
    },
    async redrive(vendor) {
      if (vendor === 'hubspot') throw new RedriveInProgressError('moving already')
      const moving = deadLetters.get(vendor) ?? 0
      deadLetters.set(vendor, 0)
      return { moving }
    },
  }
}

describe('redrive and status through the admin service', () => {
  let dynamo: EmbeddedDynamo
  let client: DynamoDBDocumentClient
  let deps: Admin.AdminDeps
  const pipelines = inProcessPipelines()
  const reported: unknown[] = []

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    client = documentClient(dynamo.clientConfig)
    let ids = 0
    deps = {
      store: dynamoAdminStore(client, TABLE, { transactWrite: dynaliteTransactWrite(client) }),
      status: pipelines,
      redriver: pipelines,
      now: () => new Date('2026-10-05T12:00:00.000Z'),
      newId: () => `id-${++ids}`,
      production: true,
      auditDays: 2192,
      takesEffectWithinSeconds: 30,
      report: (error) => reported.push(error),
    }
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  it('moves the dead letters back and keeps an audit entry of who asked', async () => {
    const answer = await Admin.redriveVendor(deps, 'meta', {
      principal: PRINCIPAL,
      body: { reason: 'vendor fixed' },
    })
    expect(answer).toMatchObject({ vendor: 'meta', moving: 3 })
    expect(pipelines.deadLetters.get('meta')).toBe(0)
    const { entries } = await Admin.listAudit(deps, {})
    expect(entries).toEqual([answer.audit])
    expect(answer.audit).toMatchObject({
      principal: PRINCIPAL,
      action: 'vendor.redrive',
      target: 'meta',
      reason: 'vendor fixed',
    })
  })

  it('answers 409 while a redrive is already moving the vendor’s dead letters', async () => {
    await expect(Admin.redriveVendor(deps, 'hubspot', { principal: PRINCIPAL })).rejects.toMatchObject({
      statusCode: 409,
    })
  })

  it('shows unknown figures for a vendor whose status cannot be read, and the others as they are', async () => {
    const { vendors } = await Admin.listVendors(deps)
    expect(vendors.find((vendor) => vendor.id === 'linkedin')?.status).toEqual({
      queue: { depth: null, inFlight: null, oldestAgeSeconds: null },
      deadLetters: { count: null },
      lastDelivery: null,
    })
    expect(vendors.find((vendor) => vendor.id === 'meta')?.status.deadLetters.count).toBe(0)
    expect(reported).toHaveLength(1)
  })

  it('refuses settings meant for testing in production (409 naming the vendor)', async () => {
    const settings = { enabled: true, pixelId: '1234567890123', testEventCode: 'TEST123' }
    await expect(
      Admin.putVendor(deps, 'meta', { principal: PRINCIPAL, body: { settings } }),
    ).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/meta.*testEventCode/),
    })
    expect(await deps.store.vendorSettingsOf('meta')).toBeNull()
  })
})
