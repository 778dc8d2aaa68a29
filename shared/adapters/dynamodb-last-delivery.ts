import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { LastDelivery } from '#shared/admin/api.ts'
import type { LastDeliveryStore } from '#shared/admin/ports.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The config table's partition holding each vendor's last delivery outcome, one item per vendor id (sk). */
export const VENDOR_STATUS_PARTITION = 'vendor-status'

const lastDeliverySchema = z.object({
  at: z.iso.datetime(),
  outcome: z.enum(['delivered', 'withheld', 'retry', 'dead-lettered', 'failed']),
  detail: z.optional(z.string()),
})

/**
 * The deliverers' last batch outcomes in the config table. Only the summary is stored (when, what
 * became of the batch, the worst reason): never a payload or a visitor value.
 */
export function dynamoLastDelivery(client: DynamoDBDocumentClient, tableName: string): LastDeliveryStore {
  return {
    async record(vendor, last) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: VENDOR_STATUS_PARTITION,
            sk: vendor,
            at: last.at,
            outcome: last.outcome,
            ...(last.detail === undefined ? {} : { detail: last.detail }),
          },
        }),
      )
    },
    async read(vendor) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: VENDOR_STATUS_PARTITION, sk: vendor },
          ConsistentRead: true,
        }),
      )
      return parseLastDelivery(Item)
    },
  }
}

/** A stored item as the admin sees it; anything malformed (or absent) is no outcome at all. */
export function parseLastDelivery(item: unknown): LastDelivery | null {
  const parsed = lastDeliverySchema.safeParse(item)
  if (!parsed.success) return null
  const { at, outcome, detail } = parsed.data
  return detail === undefined ? { at, outcome } : { at, outcome, detail }
}
