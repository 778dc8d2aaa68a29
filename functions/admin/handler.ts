import middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda'
import type { AdminRouteKey } from '#shared/admin/api.ts'
import { listPrivacyRequests, runPrivacyRequest } from '#shared/admin/privacy.ts'
import * as Admin from '#shared/admin/service.ts'
import { decodedBodyText } from '#shared/http/body.ts'
import { httpErrors } from '#shared/http/error-middleware.ts'
import { ClientError, NotFoundError, ValidationError } from '#shared/http/errors.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

export const MAX_ADMIN_BODY_BYTES = 64 * 1024

/** What API Gateway hands over after IAM authorisation; typed loosely so a route without it is refused. */
export type AdminEvent = APIGatewayProxyEventV2WithIAMAuthorizer | APIGatewayProxyEventV2

const iamContextSchema = z.object({
  authorizer: z.object({ iam: z.object({ userArn: z.string().check(z.minLength(1)) }) }),
})

type RouteKey = AdminRouteKey

/** The admin service's dependencies; `report` is told of unexpected errors (never the event). */
export type AdminHandlerDeps = Admin.AdminDeps

function principalOf(event: AdminEvent): string {
  // The IAM authorizer always sets it; a missing one means the route was deployed without it.
  const context = iamContextSchema.safeParse(event.requestContext)
  if (!context.success)
    throw new ClientError(401, 'no authenticated principal (the admin API requires IAM authorisation)')
  return context.data.authorizer.iam.userArn
}

/** The JSON body, or undefined when there is none (the routes whose body is optional). */
function jsonBody(event: AdminEvent): unknown {
  if (!event.body) return undefined
  const text = decodedBodyText(
    {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentEncoding: event.headers?.['content-encoding'],
    },
    MAX_ADMIN_BODY_BYTES,
  )
  try {
    return JSON.parse(text)
  } catch {
    throw new ValidationError('body', 'must be valid JSON')
  }
}

function vendorIdOf(event: AdminEvent): string {
  const id = event.pathParameters?.id
  if (!id) throw new NotFoundError('vendor')
  return id
}

type Route = (
  deps: AdminHandlerDeps,
  event: AdminEvent,
  request: Admin.AdminRequest,
) => Promise<[number, unknown]>

const ok = async <T>(answer: Promise<T>): Promise<[number, unknown]> => [200, await answer]

const ROUTES: Record<RouteKey, Route> = {
  'GET /admin/vendors': (deps) => ok(Admin.listVendors(deps)),
  'GET /admin/vendors/{id}': (deps, event) => ok(Admin.showVendor(deps, vendorIdOf(event))),
  'PUT /admin/vendors/{id}': (deps, event, request) => ok(Admin.putVendor(deps, vendorIdOf(event), request)),
  'POST /admin/vendors/{id}/enable': (deps, event, request) =>
    ok(Admin.enableVendor(deps, vendorIdOf(event), request)),
  'POST /admin/vendors/{id}/disable': (deps, event, request) =>
    ok(Admin.disableVendor(deps, vendorIdOf(event), request)),
  'POST /admin/vendors/{id}/redrive': (deps, event, request) =>
    ok(Admin.redriveVendor(deps, vendorIdOf(event), request)),
  'GET /admin/audit': (deps, event) => {
    const query = event.queryStringParameters ?? {}
    return ok(Admin.listAudit(deps, { from: query.from, to: query.to, limit: query.limit }))
  },
  'GET /admin/policy-versions': (deps) => ok(Admin.listPolicyVersions(deps)),
  'POST /admin/policy-versions': async (deps, _event, request) => [
    201,
    await Admin.publishPolicyVersion(deps, request),
  ],
  'GET /admin/privacy/requests': (deps) => ok(listPrivacyRequests(deps)),
  'POST /admin/privacy/requests': (deps, _event, request) => ok(runPrivacyRequest(deps, request)),
}

function isRouteKey(key: string): key is RouteKey {
  return Object.hasOwn(ROUTES, key)
}

/**
 * The admin API: one function behind every ADMIN_ROUTES route, dispatched by the route key API Gateway
 * matched. The principal is checked before anything else; no CORS (the page is proxied, same origin).
 */
export function createAdminHandler(deps: AdminHandlerDeps) {
  const serve = async (event: AdminEvent): Promise<HttpResult> => {
    const principal = principalOf(event)
    if (!isRouteKey(event.routeKey)) throw new NotFoundError(`route ${event.routeKey}`)
    const [status, answer] = await ROUTES[event.routeKey](deps, event, { principal, body: jsonBody(event) })
    return jsonResponse(status, answer, { 'cache-control': 'no-store' })
  }
  return middy<AdminEvent, HttpResult>().use(httpErrors(deps.report)).handler(serve)
}
