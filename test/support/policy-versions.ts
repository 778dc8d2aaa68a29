import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { POLICY_VERSIONS_PARTITION, type PolicyVersion } from '#shared/policy/versions.ts'

/** Publishes a version the way the admin API does: one item in the config table's versions partition. */
export async function putPolicyVersion(
  client: DynamoDBDocumentClient,
  tableName: string,
  version: PolicyVersion,
): Promise<void> {
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: POLICY_VERSIONS_PARTITION, sk: version.version, ...version },
    }),
  )
}
