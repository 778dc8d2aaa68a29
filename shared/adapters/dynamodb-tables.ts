import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb'

/**
 * Key layout of the tables. The CDK stack declares the same keys; local runtime and tests create
 * tables from these definitions.
 *
 * Consent table: pk = consent key (keyed hash of site + visitor id);
 *   sk = `current` for the decision in force, `history#<updatedAt>#<receiptId>` for each change.
 *   The visitor's session for clients without the session cookie: sk = `session` (issue 11).
 * Config table: pk = item kind, sk = the item within it. Vendor settings: pk = `vendor-settings`,
 *   sk = `<vendorId>`, `settings` (map, the vendor's settings JSON), `updatedAt` (ISO time; absent
 *   on an item seeded at deploy), `revision` and `updatedBy` (written by the admin API), so one query
 *   reads every vendor. Policy versions: pk = `policy-versions`, sk = the version. Each deliverer's
 *   last batch: pk = `vendor-status`, sk = `<vendorId>`. Audit entries: pk = `audit#<YYYY-MM>`,
 *   sk = `<at>#<id>`, with `expiresAt` from `retention.auditDays`.
 * Idempotency table: pk = `<siteId>#<messageId>`, sk = `queued`; the consent key it was queued for.
 * Both carry `expiresAt` (epoch seconds) as the TTL attribute where an item holds visitor data.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
  }
}
