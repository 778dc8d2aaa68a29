import type { MiddlewareObj } from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { TagwardenConfig } from '#shared/config/schema.ts'
import { corsHeaders } from './cors.ts'
import type { HttpResult } from './response.ts'

/** Adds CORS headers for configured origins to every response, errors included, so browsers can read them. */
export function cors(config: TagwardenConfig): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const addHeaders = async (request: { event: APIGatewayProxyEventV2; response: HttpResult | null }) => {
    if (!request.response) return
    request.response.headers = {
      ...request.response.headers,
      ...corsHeaders(config, request.event.headers.origin),
    }
  }
  return { after: addHeaders, onError: addHeaders }
}
