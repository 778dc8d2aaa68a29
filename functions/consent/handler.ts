import middy from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { type Caller, resolveCaller } from '#shared/config/sites.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import { objectToPolicy } from '#shared/consent/objection.ts'
import { type PrivacyAction, privacyActionOf, privacyMethodOf } from '#shared/consent/privacy-requests.ts'
import {
  anonymousIdSchema,
  parseConsentRequest,
  parseObjectionRequest,
} from '#shared/consent/request-schema.ts'
import {
  type ConsentDeps,
  confirmConsent,
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
import {
  CLEARED_FIRST_PARTY_COOKIES,
  newVisitorId,
  readFirstPartyCookies,
  visitorCookie,
} from '#shared/identity/first-party-cookies.ts'
import { visitorRef } from '#shared/identity/visitor-ref.ts'
import type { VisitorRights } from '#shared/rights/ports.ts'
import { servePrivacyRequest } from './privacy.ts'
import {
  BrowserIdRefusedError,
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
 *
 * Issue 11: a browser's `PUT` may name no id; the `tw_id` cookie's is used, else a new random one
 * (only when the decision allows a purpose: a refusal without an id stores nothing). A site with
 * `consent.browserIds: 'cookie-only'` closes the oracle above: a browser naming any id other than its
 * cookie's is refused (403 `anonymousId`) before anything is looked up, known id or not.
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
  ): Promise<{ stored: boolean; nonce?: string; record?: ConsentRecord }> {
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
    return proven && record.tokenNonce
      ? { stored: true, nonce: record.tokenNonce, record }
      : { stored: true, record }
  }

  /** The `tw_id` cookie's visitor id, when the browser sent a well-formed one. */
  const cookieVisitorOf = (event: APIGatewayProxyEventV2): string | undefined =>
    readFirstPartyCookies(event.cookies, event.headers?.cookie).visitorId

  /** Under `cookie-only`, a browser may name no id but its own cookie's; checked before any lookup. */
  function assertBrowserMayName(caller: Caller, event: APIGatewayProxyEventV2, named: string | undefined) {
    if (caller.kind !== 'browser' || caller.site.consent.browserIds !== 'cookie-only') return
    if (named !== undefined && named !== cookieVisitorOf(event)) throw new BrowserIdRefusedError()
  }

  /** Access to an existing visitor's data: the server key, or the browser's valid token; else UnknownVisitorError. */
  async function accessTo(
    caller: Caller,
    event: APIGatewayProxyEventV2,
    anonymousId: string,
  ): Promise<VisitorAccess> {
    const siteId = caller.site.id
    if (caller.kind === 'server') return { caller, siteId, anonymousId }
    assertBrowserMayName(caller, event, anonymousId)
    const { nonce } = await provenNonce(event, siteId, anonymousId)
    if (nonce === undefined) throw new UnknownVisitorError()
    return { caller, siteId, anonymousId, tokenNonce: nonce }
  }

  async function record(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    const parsed = parseConsentRequest(jsonBody(event))
    if (!parsed.ok) throw new ValidationError(parsed.field, parsed.message)
    const { anonymousId: named, purposes, writeKey } = parsed.value
    const caller = callerOf(event, writeKey)
    const siteId = caller.site.id
    if (caller.kind === 'server') {
      if (named === undefined) throw new ValidationError('anonymousId', 'is required with the server key')
      return jsonResponse(200, await recordConsent(siteId, named, purposes, deps))
    }
    assertBrowserMayName(caller, event, named)
    const allows = purposes.analytics === true || purposes.marketing === true
    const fromCookie = named === undefined ? cookieVisitorOf(event) : undefined
    const claimed = named ?? fromCookie
    const checked = claimed === undefined ? { stored: false } : await provenNonce(event, siteId, claimed)
    if (named !== undefined && checked.stored && checked.nonce === undefined)
      throw new VisitorTokenRequiredError()
    // A cookie's id counts only with the proof of its decision; without it (token lost, decision expired
    // or erased, a cookie not set here) the browser is a new visitor, so a cookie reveals nothing of an id.
    const known = fromCookie !== undefined && checked.nonce === undefined ? undefined : claimed
    const proof = known === undefined ? { stored: false } : checked
    // Default deny: a refusal with no id to record it for keeps nothing and sets nothing of its own.
    if (known === undefined && !allows) {
      const refused = jsonResponse(200, { purposes: { analytics: false, marketing: false } })
      return fromCookie === undefined ? refused : { ...refused, cookies: [...CLEARED_FIRST_PARTY_COOKIES] }
    }
    const anonymousId = known ?? newVisitorId()
    const nonce = proof.nonce ?? newTokenNonce()
    const receipt = await confirmConsent(siteId, anonymousId, purposes, deps, proof.record ?? null, nonce)
    // An id the browser did not name stays in its HttpOnly cookie: the page's scripts never see it.
    const { anonymousId: _cookieId, ...unnamed } = receipt
    const shown = named === undefined ? unnamed : receipt
    const answer = receipt.purposes.analytics
      ? { ...shown, ref: visitorRef(deps.pseudonymKey, siteId, anonymousId) }
      : shown
    // The token is re-issued on every answer, so it lives as long as the decision it proves.
    const result = jsonResponse(200, answer, { 'set-cookie': tokenCookie(siteId, anonymousId, nonce) })
    const cookies = allows
      ? [visitorCookie(anonymousId, caller.site.cookies.visitorDays)]
      : [...CLEARED_FIRST_PARTY_COOKIES]
    return { ...result, cookies }
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
        const receipt = await revokeConsent(access.siteId, route.anonymousId, deps, access.tokenNonce)
        return { ...jsonResponse(200, receipt), cookies: [...CLEARED_FIRST_PARTY_COOKIES] }
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
          cookieVisitor: cookieVisitorOf(event),
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
