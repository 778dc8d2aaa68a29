import type { MiddlewareObj, Request } from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { corsHeaders, credentialsHeaders } from './cors.ts'
import type { HttpResult } from './response.ts'

/**
 * Headers on every answer of the public API, errors included: CORS for configured origins (so the
 * site's pages can read errors too) and `no-store` (visitor-specific answers must never be cached) unless
 * the handler chose its own caching. An event may come without headers at all (a direct invocation).
 * With `credentials`, every answer (refusals included) also allows credentials for configured origins:
 * the consent routes' pages call with the visitor token cookie, and a credentialed call whose answer
 * lacks it is a network error to the page, so a 404 or 403 could not be told from an outage.
 */
export function apiResponseHeaders(
  config: DeploymentConfig,
  options: { credentials?: boolean } = {},
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const addHeaders = async (request: Request<APIGatewayProxyEventV2, HttpResult>): Promise<void> => {
    const { response } = request
    if (!response) return
    request.response = {
      ...response,
      headers: {
        ...response.headers,
        ...corsHeaders(config, request.event.headers?.origin),
        ...(options.credentials ? credentialsHeaders(config, request.event.headers?.origin) : {}),
        'cache-control': response.headers?.['cache-control'] ?? 'no-store',
      },
    }
  }
  return { after: addHeaders, onError: addHeaders }
}
