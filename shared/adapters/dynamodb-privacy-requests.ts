import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { PrivacyRequest } from '#shared/admin/api.ts'
import type { PrivacyRequestStore } from '#shared/admin/privacy-ports.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

export const PRIVACY_REQUESTS_PARTITION = 'privacy-requests'

const requestItemSchema = z.object({
  id: z.string(),
  kind: z.enum(['export', 'erase', 'restrict', 'unrestrict']),
  siteId: z.string(),
  consentKey: z.string(),
  requestedAt: z.string(),
  deadline: z.string(),
  state: z.enum(['pending', 'done', 'failed']),
  erasureId: z.optional(z.string()),
  principal: z.string(),
  failure: z.optional(z.string()),
})

function parsedRequest(item: unknown): PrivacyRequest {
  const { erasureId, failure, ...rest } = requestItemSchema.parse(item)
  return {
    ...rest,
    ...(erasureId !== undefined ? { erasureId } : {}),
    ...(failure !== undefined ? { failure } : {}),
  }
}

/** Admin-run rights requests on the config table: pk `privacy-requests`, sk `<requestedAt>#<id>`. */
export function dynamoPrivacyRequests(
  client: DynamoDBDocumentClient,
  tableName: string,
): PrivacyRequestStore {
  return {
    async record({ request, expiresAt }) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: PRIVACY_REQUESTS_PARTITION,
            sk: `${request.requestedAt}#${request.id}`,
            ...request,
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
    },

    async list(limit) {
      const requests: PrivacyRequest[] = []
      let startKey: Record<string, unknown> | undefined
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': PRIVACY_REQUESTS_PARTITION },
            ScanIndexForward: false,
            Limit: limit - requests.length,
            ExclusiveStartKey: startKey,
          }),
        )
        requests.push(...(page.Items ?? []).map(parsedRequest))
        startKey = page.LastEvaluatedKey
      } while (startKey && requests.length < limit)
      return requests
    },
  }
}
