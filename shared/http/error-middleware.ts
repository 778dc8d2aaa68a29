import type { MiddlewareObj } from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { ClientError } from './errors.ts'
import { type HttpResult, jsonResponse } from './response.ts'

type Report = (error: unknown) => void

/**
 * Deliberate client errors become a 4xx JSON body naming the field; anything else becomes a bare 500
 * with no internals, reported through `report` (which must not log the request: it holds the raw IP).
 */
export function httpErrors(report: Report = () => {}): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    onError: async (request) => {
      const { error } = request
      if (error instanceof ClientError) {
        request.response = jsonResponse(error.statusCode, error.toJSON())
        return
      }
      report(error)
      request.response = jsonResponse(500, { error: 'internal error' })
    },
  }
}
