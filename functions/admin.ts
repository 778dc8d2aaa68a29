import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda'

/** Placeholder so the stack bundles; the admin API's real handler replaces this file. */
export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 501,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: 'The admin API is not implemented yet' }),
})
