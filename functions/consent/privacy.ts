import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { Caller } from '#shared/config/sites.ts'
import {
  type PrivacyAction,
  parsePrivacyBody,
  privacyRequestSchemas,
} from '#shared/consent/privacy-requests.ts'
import { CLEARED_VISITOR_TOKEN_COOKIE } from '#shared/consent/visitor-token.ts'
import { ClientError, ValidationError } from '#shared/http/errors.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'
import { CLEARED_FIRST_PARTY_COOKIES } from '#shared/identity/first-party-cookies.ts'
import type { Visitor, VisitorRights } from '#shared/rights/ports.ts'
import { jsonBody, UnknownVisitorError, type VisitorAccess } from './visitor-access.ts'

export interface PrivacyContext {
  rights: VisitorRights | undefined
  callerOf: (bodyWriteKey: string | undefined) => Caller
  /** The server key, or the browser's valid visitor token for the id; else the unknown-id answer. */
  accessTo: (caller: Caller, anonymousId: string) => Promise<VisitorAccess>
  /** The visitor cookie's id (tw_id); a body that names no visitor is about this one (tag.js pages). */
  cookieVisitor?: string | undefined
}

/**
 * The body, with the visitor cookie's id when it names none: a page using tag.js never sees its
 * visitor id (HttpOnly), yet may ask for its rights. The id still needs its token like a named one.
 */
function withCookieVisitor(input: unknown, cookieVisitor: string | undefined): unknown {
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input)
  if (!isObject || cookieVisitor === undefined || 'anonymousId' in input) return input
  return { ...input, anonymousId: cookieVisitor }
}

function parsed<T>(result: { ok: true; value: T } | { ok: false; field: string; message: string }): T {
  if (!result.ok) throw new ValidationError(result.field, result.message)
  return result.value
}

function rightsOf(context: PrivacyContext): VisitorRights {
  if (!context.rights) throw new ClientError(501, 'visitor rights are not available in this deployment')
  return context.rights
}

/**
 * One `/v1/privacy/*` request (shared/rights/api.ts): the body parsed, the caller proven to act for the
 * visitor, then the VisitorRights port. The erasure's status is read with its erasureId, which only the
 * requester was given: after an erasure the visitor has no decision left for a token to prove.
 */
export async function servePrivacyRequest(
  action: PrivacyAction,
  event: APIGatewayProxyEventV2,
  context: PrivacyContext,
): Promise<HttpResult> {
  const body = jsonBody(event)
  const named = typeof body === 'object' && body !== null && 'anonymousId' in body
  const input = withCookieVisitor(body, context.cookieVisitor)
  const prove = async (body: { anonymousId: string; writeKey?: string | undefined }): Promise<Visitor> => {
    const caller = context.callerOf(body.writeKey)
    const access = await context.accessTo(caller, body.anonymousId)
    rightsOf(context)
    return { siteId: access.siteId, anonymousId: access.anonymousId }
  }
  switch (action) {
    case 'export': {
      const body = parsed(parsePrivacyBody(privacyRequestSchemas.export, input))
      const visitor = await prove(body)
      return jsonResponse(200, await rightsOf(context).export(visitor))
    }
    case 'restrict': {
      const body = parsed(parsePrivacyBody(privacyRequestSchemas.restrict, input))
      const visitor = await prove(body)
      return jsonResponse(200, await rightsOf(context).restrict(visitor, body.restricted))
    }
    case 'object': {
      const body = parsed(parsePrivacyBody(privacyRequestSchemas.object, input))
      const visitor = await prove(body)
      return jsonResponse(200, await rightsOf(context).object(visitor, body.purposes))
    }
    case 'traits': {
      const body = parsed(parsePrivacyBody(privacyRequestSchemas.traits, input))
      const visitor = await prove(body)
      await rightsOf(context).rectify(visitor, body.traits)
      return { statusCode: 204, headers: {}, body: '' }
    }
    case 'erase': {
      const body = parsed(parsePrivacyBody(privacyRequestSchemas.erase, input))
      const visitor = await prove(body)
      const status = await rightsOf(context).erase(visitor)
      // The status route takes the id, which a tag.js page learns only now, when it no longer counts.
      const answer = named ? status : { ...status, anonymousId: visitor.anonymousId }
      return {
        ...jsonResponse(202, answer, { 'set-cookie': CLEARED_VISITOR_TOKEN_COOKIE }),
        cookies: [...CLEARED_FIRST_PARTY_COOKIES],
      }
    }
    case 'eraseStatus': {
      const body = parsed(parsePrivacyBody(privacyRequestSchemas.eraseStatus, input))
      const caller = context.callerOf(body.writeKey)
      const visitor = { siteId: caller.site.id, anonymousId: body.anonymousId }
      const status = await rightsOf(context).erasureStatus(visitor, body.erasureId)
      if (!status) throw new UnknownVisitorError()
      return jsonResponse(200, status)
    }
  }
}
