import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb'
import type { AuditEntry } from '#shared/admin/api.ts'
import {
  type AdminStore,
  ConcurrentChangeError,
  type StoredAuditEntry,
  type StoredVendorSettings,
  type VendorSettingsChange,
} from '#shared/admin/store.ts'
import { POLICY_VERSIONS_PARTITION, type PolicyVersion } from '#shared/policy/versions.ts'
import { auditItem, auditMonthPartitions, auditSortKeyRange, parseAuditItem } from './dynamodb-audit-log.ts'
import { VENDOR_SETTINGS_PARTITION } from './dynamodb-vendor-settings.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** Runs one TransactWriteItems; DynamoDB's own, or a stand-in where the server has none (local/). */
export type TransactWrite = (input: TransactWriteCommandInput) => Promise<void>

export interface DynamoAdminStoreOptions {
  transactWrite?: TransactWrite
}

const settingsItemSchema = z.object({
  sk: z.string(),
  settings: z.unknown(),
  revision: z.optional(z.number()),
  updatedAt: z.optional(z.string()),
  updatedBy: z.optional(z.string()),
})

const policyVersionItemSchema = z.object({
  version: z.string(),
  effectiveAt: z.string(),
  publishedAt: z.string(),
  covers: z.record(z.string(), z.array(z.enum(['analytics', 'marketing']))),
  summary: z.optional(z.string()),
})

function storedSettings(item: unknown): StoredVendorSettings {
  const { sk, settings, revision, updatedAt, updatedBy } = settingsItemSchema.parse(item)
  return {
    vendorId: sk,
    settings,
    revision: revision ?? 0,
    ...(updatedAt ? { updatedAt } : {}),
    ...(updatedBy ? { updatedBy } : {}),
  }
}

function policyVersion(item: unknown): PolicyVersion {
  const { summary, ...rest } = policyVersionItemSchema.parse(item)
  return { ...rest, ...(summary !== undefined ? { summary } : {}) }
}

/** Which of the transaction's items failed their condition (its index), if that was why it was cancelled. */
function failedConditionIndex(error: unknown): number | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined
  const index = (error.CancellationReasons ?? []).findIndex(
    (reason) => reason.Code === 'ConditionalCheckFailed',
  )
  return index === -1 ? undefined : index
}

/**
 * The admin API's store on the config table. Vendor settings keep the layout collect and deliver read
 * (pk `vendor-settings`, sk vendor id, `settings`, `updatedAt`) plus `revision` and `updatedBy`; policy
 * versions are pk `policy-versions`, sk version; audit entries as dynamodb-audit-log.ts lays them out.
 * Each change is one TransactWriteItems with its audit entry, so both are written or neither.
 */
export function dynamoAdminStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: DynamoAdminStoreOptions = {},
): AdminStore {
  const transactWrite: TransactWrite =
    options.transactWrite ??
    (async (input) => {
      await client.send(new TransactWriteCommand(input))
    })

  const auditPut = (audit: StoredAuditEntry) => ({
    Put: {
      TableName: tableName,
      Item: auditItem(audit),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  })

  async function transact(input: TransactWriteCommandInput): Promise<void> {
    try {
      await transactWrite(input)
    } catch (error) {
      const index = failedConditionIndex(error)
      if (index === undefined) throw error
      throw new ConcurrentChangeError(index === 0 ? 'change' : 'audit', { cause: error })
    }
  }

  async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = []
    let startKey: Record<string, unknown> | undefined
    do {
      const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }))
      items.push(...(page.Items ?? []))
      startKey = page.LastEvaluatedKey
    } while (startKey)
    return items
  }

  return {
    async vendorSettings() {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': VENDOR_SETTINGS_PARTITION },
        ConsistentRead: true,
      })
      return items.map(storedSettings)
    },

    async vendorSettingsOf(vendorId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: VENDOR_SETTINGS_PARTITION, sk: vendorId },
          ConsistentRead: true,
        }),
      )
      return Item ? storedSettings(Item) : null
    },

    async changeVendorSettings(change: VendorSettingsChange, audit) {
      const revision = change.expectedRevision + 1
      // An item seeded at deploy (or written by putVendorSettings) has no revision: it counts as 0.
      const condition =
        change.expectedRevision === 0
          ? { ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(revision)' }
          : {
              ConditionExpression: 'revision = :expected',
              ExpressionAttributeValues: { ':expected': change.expectedRevision },
            }
      await transact({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: {
                pk: VENDOR_SETTINGS_PARTITION,
                sk: change.vendorId,
                settings: change.settings,
                updatedAt: change.at,
                updatedBy: change.principal,
                revision,
              },
              ...condition,
            },
          },
          auditPut(audit),
        ],
      })
      return { revision }
    },

    async publishPolicyVersion(version, audit) {
      await transact({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { pk: POLICY_VERSIONS_PARTITION, sk: version.version, ...version },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          auditPut(audit),
        ],
      })
    },

    async policyVersions() {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': POLICY_VERSIONS_PARTITION },
        ConsistentRead: true,
      })
      return items.map(policyVersion)
    },

    async appendAudit(audit) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: auditItem(audit),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
    },

    async auditEntries({ from, to, limit }) {
      const entries: AuditEntry[] = []
      const range = auditSortKeyRange(from, to)
      for (const partition of auditMonthPartitions(from, to)) {
        let startKey: Record<string, unknown> | undefined
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':pk': partition, ':from': range.from, ':to': range.to },
              ScanIndexForward: false,
              Limit: limit - entries.length,
              ExclusiveStartKey: startKey,
            }),
          )
          entries.push(...(page.Items ?? []).map(parseAuditItem))
          startKey = page.LastEvaluatedKey
        } while (startKey && entries.length < limit)
        if (entries.length >= limit) break
      }
      return entries
    },
  }
}
