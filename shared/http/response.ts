import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda'

export type HttpResult = APIGatewayProxyStructuredResultV2

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  }
}
