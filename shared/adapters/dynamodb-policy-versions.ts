import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { cachedPolicyVersions } from '#shared/policy/cache.ts'
import { policyVersionItemSchema } from '#shared/policy/item-schema.ts'
import type { PolicyVersions } from '#shared/policy/port.ts'
import { POLICY_VERSIONS_PARTITION, type PolicyVersion } from '#shared/policy/versions.ts'

/** A stored version item does not have the published shape; it is left out until it is fixed. */
export class PolicyVersionItemError extends Error {
  override name = 'PolicyVersionItemError'
}

const skOf = (item: Record<string, unknown>): string => (typeof item.sk === 'string' ? item.sk : '(no sk)')

/**
 * Every published version from the config table in one strongly consistent query (paged only if the
 * partition outgrows 1 MB). A malformed item is skipped and reported, never fatal.
 */
export function dynamoPolicyVersionsSource(
  client: DynamoDBDocumentClient,
  tableName: string,
  onError: (error: unknown) => void = () => {},
): PolicyVersions {
  return {
    async published() {
      const versions: PolicyVersion[] = []
      let startKey: Record<string, unknown> | undefined
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': POLICY_VERSIONS_PARTITION },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        )
        for (const item of page.Items ?? []) {
          const parsed = policyVersionItemSchema.safeParse(item)
          if (!parsed.success) {
            const issue = parsed.error.issues[0]
            const where = issue ? `${issue.path.join('.') || 'item'}: ${issue.message}` : 'invalid'
            onError(new PolicyVersionItemError(`Policy version item ${skOf(item)} skipped (${where})`))
            continue
          }
          const { sk: _sortKey, ...version } = parsed.data
          versions.push(version)
        }
        startKey = page.LastEvaluatedKey
      } while (startKey)
      return versions
    },
  }
}

/** The published versions as collect, deliver and the consent API read them: cached for at most 30 s. */
export function dynamoPolicyVersions(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { onError?: (error: unknown) => void; now?: () => number; maxAgeMs?: number } = {},
): PolicyVersions {
  return cachedPolicyVersions(dynamoPolicyVersionsSource(client, tableName, options.onError), {
    now: options.now ?? Date.now,
    ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  })
}
