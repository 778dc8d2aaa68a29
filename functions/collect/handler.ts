import middy from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { PIXEL_GIF } from '#shared/events/pixel.ts'
import { ingestRouteOf, PIXEL_PATH } from '#shared/events/routes.ts'
import { apiResponseHeaders } from '#shared/http/cors-middleware.ts'
import { httpErrors } from '#shared/http/error-middleware.ts'
import { NotFoundError } from '#shared/http/errors.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'
import { type CollectDeps, type CollectRequest, collectJson, collectPixel } from '#shared/ingest/collect.ts'

export interface CollectHandlerDeps extends CollectDeps {
  /** Reports unexpected errors; must never be given the request event (it holds the raw IP). */
  reportError: (error: unknown) => void
}

/** The collector: Segment-compatible JSON routes and the no-JS pixel. */
export function createCollectHandler(deps: CollectHandlerDeps) {
  const collectRequest = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const { method } = event.requestContext.http
    if (method === 'GET' && event.rawPath === PIXEL_PATH) return pixel(event)
    const ingestRoute = method === 'POST' ? ingestRouteOf(event.rawPath) : undefined
    if (!ingestRoute) throw new NotFoundError(`route ${method} ${event.rawPath}`)
    const result = await collectJson(
      {
        ...requestFacts(event),
        route: ingestRoute,
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
        contentEncoding: event.headers?.['content-encoding'],
        queryWriteKey: event.queryStringParameters?.writeKey,
      },
      deps,
    )
    return jsonResponse(200, { success: true, ...result })
  }

  /** Always answers the GIF: a pixel cannot show an error; problems are reported instead. */
  const pixel = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const request = {
      ...requestFacts(event),
      query: event.queryStringParameters ?? {},
      referer: event.headers?.referer,
    }
    await collectPixel(request, deps).catch(deps.reportError)
    return {
      statusCode: 200,
      headers: { 'content-type': 'image/gif' },
      body: PIXEL_GIF.toString('base64'),
      isBase64Encoded: true,
    }
  }

  return middy<APIGatewayProxyEventV2, HttpResult>()
    .use(apiResponseHeaders(deps.config))
    .use(httpErrors(deps.reportError))
    .handler(collectRequest)
}

function requestFacts(event: APIGatewayProxyEventV2): CollectRequest {
  const headers = event.headers ?? {}
  return {
    headers: {
      authorization: headers.authorization,
      origin: headers.origin,
      userAgent: headers['user-agent'],
      gpc: headers['sec-gpc'],
    },
    network: {
      sourceIp: event.requestContext.http.sourceIp,
      forwardedFor: headers['x-forwarded-for'],
      viewerAddress: headers['cloudfront-viewer-address'],
    },
  }
}
