import middy from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { assertOriginAllowed, resolveSite, writeKeyFromAuthorization } from '#shared/config/sites.ts'
import { objectToPolicy } from '#shared/consent/objection.ts'
import {
  anonymousIdSchema,
  parseConsentRequest,
  parseObjectionRequest,
} from '#shared/consent/request-schema.ts'
import { type ConsentDeps, readConsent, recordConsent, revokeConsent } from '#shared/consent/service.ts'
import { decodedBodyText } from '#shared/http/body.ts'
import { preflightResponse } from '#shared/http/cors.ts'
import { apiResponseHeaders } from '#shared/http/cors-middleware.ts'
import { httpErrors } from '#shared/http/error-middleware.ts'
import { ClientError, NotFoundError, ValidationError } from '#shared/http/errors.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'

export const MAX_CONSENT_BODY_BYTES = 4 * 1024
const CONSENT_PATH = '/v1/consent'
const VISITOR_PATH = /^\/v1\/consent\/([^/]+)$/
const OBJECTION_PATH = /^\/v1\/consent\/([^/]+)\/objection$/

export interface ConsentHandlerDeps extends ConsentDeps {
  config: DeploymentConfig
  /** Called with unexpected errors (they become a bare 500). Must not log the request event. */
  report?: (error: unknown) => void
}

type Route =
  | { action: 'preflight' }
  | { action: 'record' }
  | { action: 'read'; anonymousId: string }
  | { action: 'revoke'; anonymousId: string }
  | { action: 'object'; anonymousId: string }

/** rawPath carries the stage name unless the API serves the `$default` stage. */
function pathWithoutStage(event: APIGatewayProxyEventV2): string {
  const stagePrefix = `/${event.requestContext.stage}`
  const { rawPath } = event
  return rawPath.startsWith(`${stagePrefix}/`) ? rawPath.slice(stagePrefix.length) : rawPath
}

function anonymousIdFromPath(encoded: string): string {
  let decoded: string
  try {
    decoded = decodeURIComponent(encoded)
  } catch {
    throw new ValidationError('anonymousId', 'is not valid percent-encoding')
  }
  const parsed = anonymousIdSchema.safeParse(decoded)
  if (!parsed.success)
    throw new ValidationError('anonymousId', parsed.error.issues[0]?.message ?? 'is invalid')
  return parsed.data
}

function routeOf(event: APIGatewayProxyEventV2): Route {
  const method = event.requestContext.http.method.toUpperCase()
  const path = pathWithoutStage(event)
  const objectionSegment = OBJECTION_PATH.exec(path)?.[1]
  if (objectionSegment !== undefined) {
    if (method === 'OPTIONS') return { action: 'preflight' }
    if (method === 'POST') return { action: 'object', anonymousId: anonymousIdFromPath(objectionSegment) }
    throw new ClientError(405, `${method} is not allowed on ${CONSENT_PATH}/{anonymousId}/objection`)
  }
  const visitorSegment = VISITOR_PATH.exec(path)?.[1]
  if (path !== CONSENT_PATH && visitorSegment === undefined) throw new NotFoundError('route')
  if (method === 'OPTIONS') return { action: 'preflight' }
  if (visitorSegment === undefined) {
    if (method === 'PUT') return { action: 'record' }
    throw new ClientError(405, `${method} is not allowed on ${CONSENT_PATH}`)
  }
  if (method === 'GET') return { action: 'read', anonymousId: anonymousIdFromPath(visitorSegment) }
  if (method === 'DELETE') return { action: 'revoke', anonymousId: anonymousIdFromPath(visitorSegment) }
  throw new ClientError(405, `${method} is not allowed on ${CONSENT_PATH}/{anonymousId}`)
}

function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const text = decodedBodyText(
    {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentEncoding: event.headers?.['content-encoding'],
    },
    MAX_CONSENT_BODY_BYTES,
  )
  try {
    return JSON.parse(text)
  } catch {
    throw new ValidationError('body', 'must be valid JSON')
  }
}

/**
 * `PUT /v1/consent`, `GET /v1/consent/{anonymousId}`, `DELETE /v1/consent/{anonymousId}` and
 * `POST /v1/consent/{anonymousId}/objection`.
 */
export function createConsentHandler(deps: ConsentHandlerDeps) {
  const { config } = deps

  /** The write key comes from `Authorization: Basic`, else the body, else the query string. */
  function siteOf(event: APIGatewayProxyEventV2, bodyWriteKey?: string): string {
    const headers = event.headers ?? {}
    const writeKey =
      writeKeyFromAuthorization(headers.authorization) ??
      bodyWriteKey ??
      event.queryStringParameters?.writeKey
    const site = resolveSite(config, writeKey)
    assertOriginAllowed(site, headers.origin)
    return site.id
  }

  async function serveConsent(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const route = routeOf(event)
    switch (route.action) {
      case 'preflight':
        return preflightResponse(config, event.headers?.origin)
      case 'record': {
        const parsed = parseConsentRequest(jsonBody(event))
        if (!parsed.ok) throw new ValidationError(parsed.field, parsed.message)
        const { anonymousId, purposes, writeKey } = parsed.value
        return jsonResponse(200, await recordConsent(siteOf(event, writeKey), anonymousId, purposes, deps))
      }
      case 'read': {
        const state = await readConsent(siteOf(event), route.anonymousId, deps)
        if (!state) throw new NotFoundError('consent')
        return jsonResponse(200, state)
      }
      case 'revoke':
        return jsonResponse(200, await revokeConsent(siteOf(event), route.anonymousId, deps))
      case 'object': {
        const parsed = parseObjectionRequest(jsonBody(event))
        if (!parsed.ok) throw new ValidationError(parsed.field, parsed.message)
        const { policyVersion, writeKey } = parsed.value
        const outcome = await objectToPolicy(siteOf(event, writeKey), route.anonymousId, policyVersion, deps)
        if (outcome.ok) return jsonResponse(200, outcome.receipt)
        if (outcome.problem === 'not-current') throw new ValidationError('policyVersion', outcome.message)
        throw new ClientError(409, outcome.message)
      }
    }
  }

  return middy<APIGatewayProxyEventV2, HttpResult>()
    .use(apiResponseHeaders(config))
    .use(httpErrors(deps.report))
    .handler(serveConsent)
}
