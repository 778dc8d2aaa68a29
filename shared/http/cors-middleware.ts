import type { MiddlewareObj, Request } from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { corsHeaders } from './cors.ts'
import type { HttpResult } from './response.ts'

/**
 * Headers on every answer of the public API, errors included: CORS for configured origins (so the
 * site's pages can read errors too) and `no-store` (visitor-specific answers must never be cached) unless
 * the handler chose its own caching. An event may come without headers at all (a direct invocation).
 */
export function apiResponseHeaders(
  config: DeploymentConfig,
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const addHeaders = async (request: Request<APIGatewayProxyEventV2, HttpResult>): Promise<void> => {
    const { response } = request
    if (!response) return
    request.response = {
      ...response,
      headers: {
        ...response.headers,
        ...corsHeaders(config, request.event.headers?.origin),
        'cache-control': response.headers?.['cache-control'] ?? 'no-store',
      },
    }
  }
  return { after: addHeaders, onError: addHeaders }
}
