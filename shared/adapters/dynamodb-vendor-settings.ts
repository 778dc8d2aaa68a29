import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { parseVendorSettings, type VendorSettingsReader } from '#shared/vendors/runtime-settings.ts'
import { cachedVendorSettings, type VendorSettingsSource } from '#shared/vendors/settings-store.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The config table's partition holding every vendor's settings, one item per vendor id (sk). */
export const VENDOR_SETTINGS_PARTITION = 'vendor-settings'

const settingsItemSchema = z.object({ sk: z.string(), settings: z.unknown() })

export interface SeedResult {
  /** Vendors that had no item and now have the deployment's settings. */
  written: string[]
  /** Vendors whose item was already there (an admin's settings or an earlier seed), left as it was. */
  kept: string[]
}

function settingsItem(vendorId: string, settings: unknown, now: Date): Record<string, unknown> {
  return { pk: VENDOR_SETTINGS_PARTITION, sk: vendorId, settings, updatedAt: now.toISOString() }
}

/**
 * Every vendor's raw settings from the config table in one strongly consistent query (paged only if
 * the partition outgrows 1 MB), so an admin's switch is seen by the next read.
 */
export function dynamoVendorSettingsSource(
  client: DynamoDBDocumentClient,
  tableName: string,
): VendorSettingsSource {
  return {
    async readAll() {
      const entries: Array<[string, unknown]> = []
      let startKey: Record<string, unknown> | undefined
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': VENDOR_SETTINGS_PARTITION },
            ExpressionAttributeNames: { '#sk': 'sk', '#settings': 'settings' },
            ProjectionExpression: '#sk, #settings',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        )
        for (const item of page.Items ?? []) {
          const { sk, settings } = settingsItemSchema.parse(item)
          entries.push([sk, settings])
        }
        startKey = page.LastEvaluatedKey
      } while (startKey)
      // fromEntries defines own properties, so an id such as `__proto__` stays an ordinary key.
      return Object.fromEntries(entries)
    },
  }
}

/**
 * Writes each vendor's settings only where the vendor has no item yet, so a restart or a redeploy
 * never overwrites what an admin changed.
 */
export async function seedVendorSettings(
  client: DynamoDBDocumentClient,
  tableName: string,
  settingsById: Record<string, unknown>,
  now: () => Date = () => new Date(),
): Promise<SeedResult> {
  const result: SeedResult = { written: [], kept: [] }
  for (const [vendorId, settings] of Object.entries(settingsById)) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: settingsItem(vendorId, settings, now()),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      result.written.push(vendorId)
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error
      result.kept.push(vendorId)
    }
  }
  return result
}

/**
 * Replaces a vendor's settings whatever is stored (tests). The item loses the admin's `revision` and
 * `updatedBy`, so it counts as revision 0 again; the admin API writes through dynamodb-admin-store.ts.
 */
export async function putVendorSettings(
  client: DynamoDBDocumentClient,
  tableName: string,
  vendorId: string,
  settings: unknown,
  now: () => Date = () => new Date(),
): Promise<void> {
  await client.send(new PutCommand({ TableName: tableName, Item: settingsItem(vendorId, settings, now()) }))
}

/**
 * The vendor settings in force as collect and deliver read them: the config table through a cache of
 * at most VENDOR_SETTINGS_MAX_AGE_MS, each vendor's item validated by its own settings schema.
 */
export function dynamoVendorSettings(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { onError?: (error: unknown) => void; now?: () => number; maxAgeMs?: number } = {},
): VendorSettingsReader {
  const cache = cachedVendorSettings(dynamoVendorSettingsSource(client, tableName), parseVendorSettings, {
    now: options.now ?? Date.now,
    ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  })
  return { settingsOf: (id) => cache.get(id) }
}
