import middy from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { type Caller, resolveCaller } from '#shared/config/sites.ts'
import { objectToPolicy } from '#shared/consent/objection.ts'
import { type PrivacyAction, privacyActionOf, privacyMethodOf } from '#shared/consent/privacy-requests.ts'
import {
  anonymousIdSchema,
  parseConsentRequest,
  parseObjectionRequest,
} from '#shared/consent/request-schema.ts'
import {
  type ConsentDeps,
  currentDecision,
  readConsent,
  recordConsent,
  revokeConsent,
} from '#shared/consent/service.ts'
import {
  issueVisitorToken,
  newTokenNonce,
  verifyVisitorToken,
  visitorTokenCookie,
  visitorTokenFrom,
} from '#shared/consent/visitor-token.ts'
import { preflightResponse } from '#shared/http/cors.ts'
import { apiResponseHeaders } from '#shared/http/cors-middleware.ts'
import { httpErrors } from '#shared/http/error-middleware.ts'
import { ClientError, NotFoundError, ValidationError } from '#shared/http/errors.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'
import type { VisitorRights } from '#shared/rights/ports.ts'
import { servePrivacyRequest } from './privacy.ts'
import {
  jsonBody,
  UnknownVisitorError,
  type VisitorAccess,
  VisitorTokenRequiredError,
} from './visitor-access.ts'

export { MAX_CONSENT_BODY_BYTES } from './visitor-access.ts'

const CONSENT_PATH = '/v1/consent'
const VISITOR_PATH = /^\/v1\/consent\/([^/]+)$/
const OBJECTION_PATH = /^\/v1\/consent\/([^/]+)\/objection$/

export interface ConsentHandlerDeps extends ConsentDeps {
  config: DeploymentConfig
  /** Called with unexpected errors (they become a bare 500). Must not log the request event. */
  report?: (error: unknown) => void
  /** The visitors' rights behind `/v1/privacy/*`; absent, those routes answer 501. */
  rights?: VisitorRights
}

type Route =
  | { action: 'preflight' }
  | { action: 'record' }
  | { action: 'read'; anonymousId: string }
  | { action: 'revoke'; anonymousId: string }
  | { action: 'object'; anonymousId: string }
  | { action: 'privacy'; privacy: PrivacyAction }

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
  const privacy = privacyActionOf(path)
  if (privacy !== undefined) {
    if (method === 'OPTIONS') return { action: 'preflight' }
    if (method === privacyMethodOf(privacy)) return { action: 'privacy', privacy }
    throw new ClientError(405, `${method} is not allowed on ${path}`)
  }
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

/**
 * `PUT /v1/consent`, `GET /v1/consent/{anonymousId}`, `DELETE /v1/consent/{anonymousId}`,
 * `POST /v1/consent/{anonymousId}/objection` and the `/v1/privacy/*` routes.
 *
 * Who may act for a visitor id (issue 10): the site's backend with a server key, for any id; a browser
 * with the public write key only with the visitor token cookie issued by that id's first decision.
 * Without it, every read, revocation, objection and rights request gets the answer an unknown id gets
 * (404 `consent not found`), so nothing tells whether the id exists. One oracle remains, by design: a
 * `PUT` for an id that has a decision answers 403 (`visitorToken`), while for an id without one it
 * records the decision and issues the token. The two cannot be made alike without refusing every first
 * decision, and the 403 changes nothing stored. A stored decision made without a token (by the server
 * key, or before tokens existed) can be changed from a browser only through the backend.
 */
export function createConsentHandler(deps: ConsentHandlerDeps) {
  const { config } = deps
  const tokenLifetimeSeconds = deps.retentionDays * 24 * 60 * 60

  /** The write key comes from `Authorization: Basic`, else the body, else the query string. */
  function callerOf(event: APIGatewayProxyEventV2, bodyWriteKey?: string): Caller {
    const headers = event.headers ?? {}
    return resolveCaller(config, {
      authorization: headers.authorization,
      origin: headers.origin,
      writeKey: bodyWriteKey ?? event.queryStringParameters?.writeKey,
    })
  }

  function tokenCookie(siteId: string, anonymousId: string, nonce: string): string {
    const token = issueVisitorToken(deps.pseudonymKey, { siteId, anonymousId }, nonce, deps.now())
    return visitorTokenCookie(token, tokenLifetimeSeconds)
  }

  /** The token nonce when the browser's cookie proves the id's decision in force; undefined when not. */
  async function provenNonce(
    event: APIGatewayProxyEventV2,
    siteId: string,
    anonymousId: string,
  ): Promise<{ stored: boolean; nonce?: string }> {
    const record = await currentDecision(siteId, anonymousId, deps)
    if (!record) return { stored: false }
    const token = visitorTokenFrom(event.cookies)
    const proven =
      token !== undefined &&
      record.tokenNonce !== undefined &&
      verifyVisitorToken(
        deps.pseudonymKey,
        token,
        { siteId, anonymousId },
        { nonce: record.tokenNonce, now: deps.now(), maxAgeSeconds: tokenLifetimeSeconds },
      )
    return proven && record.tokenNonce ? { stored: true, nonce: record.tokenNonce } : { stored: true }
  }

  /** Access to an existing visitor's data: the server key, or the browser's valid token; else UnknownVisitorError. */
  async function accessTo(
    caller: Caller,
    event: APIGatewayProxyEventV2,
    anonymousId: string,
  ): Promise<VisitorAccess> {
    const siteId = caller.site.id
    if (caller.kind === 'server') return { caller, siteId, anonymousId }
    const { nonce } = await provenNonce(event, siteId, anonymousId)
    if (nonce === undefined) throw new UnknownVisitorError()
    return { caller, siteId, anonymousId, tokenNonce: nonce }
  }

  async function record(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const parsed = parseConsentRequest(jsonBody(event))
    if (!parsed.ok) throw new ValidationError(parsed.field, parsed.message)
    const { anonymousId, purposes, writeKey } = parsed.value
    const caller = callerOf(event, writeKey)
    const siteId = caller.site.id
    if (caller.kind === 'server')
      return jsonResponse(200, await recordConsent(siteId, anonymousId, purposes, deps))
    const proof = await provenNonce(event, siteId, anonymousId)
    if (proof.stored && proof.nonce === undefined) throw new VisitorTokenRequiredError()
    const nonce = proof.nonce ?? newTokenNonce()
    const receipt = await recordConsent(siteId, anonymousId, purposes, deps, undefined, nonce)
    // Re-issued on every change, so the cookie lives as long as the decision it proves.
    return jsonResponse(200, receipt, { 'set-cookie': tokenCookie(siteId, anonymousId, nonce) })
  }

  async function serveConsent(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const route = routeOf(event)
    switch (route.action) {
      case 'preflight':
        return preflightResponse(config, event.headers?.origin)
      case 'record':
        return record(event)
      case 'read': {
        const access = await accessTo(callerOf(event), event, route.anonymousId)
        const state = await readConsent(access.siteId, route.anonymousId, deps)
        if (!state) throw new UnknownVisitorError()
        return jsonResponse(200, state)
      }
      case 'revoke': {
        const access = await accessTo(callerOf(event), event, route.anonymousId)
        return jsonResponse(
          200,
          await revokeConsent(access.siteId, route.anonymousId, deps, access.tokenNonce),
        )
      }
      case 'object': {
        const parsed = parseObjectionRequest(jsonBody(event))
        if (!parsed.ok) throw new ValidationError(parsed.field, parsed.message)
        const { policyVersion, writeKey } = parsed.value
        const access = await accessTo(callerOf(event, writeKey), event, route.anonymousId)
        const outcome = await objectToPolicy(access.siteId, route.anonymousId, policyVersion, deps)
        if (outcome.ok) return jsonResponse(200, outcome.receipt)
        if (outcome.problem === 'not-current') throw new ValidationError('policyVersion', outcome.message)
        throw new ClientError(409, outcome.message)
      }
      case 'privacy':
        return servePrivacyRequest(route.privacy, event, {
          rights: deps.rights,
          callerOf: (writeKey) => callerOf(event, writeKey),
          accessTo: (caller, anonymousId) => accessTo(caller, event, anonymousId),
        })
    }
  }

  return (
    middy<APIGatewayProxyEventV2, HttpResult>()
      // The token cookie rides on these calls: every answer, refusals included, is readable with credentials.
      .use(apiResponseHeaders(config, { credentials: true }))
      .use(httpErrors(deps.report))
      .handler(serveConsent)
  )
}
