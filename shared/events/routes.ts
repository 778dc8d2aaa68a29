import { PRIVACY_ROUTES } from '#shared/rights/api.ts'
import { CALENDLY_WEBHOOK_PATH, TAG_PATH, VERSIONED_TAG_PATH } from '#shared/tag/api.ts'
import type { IngestRoute } from './parse.ts'

/**
 * Segment-compatible ingestion paths and what each takes. analytics.js (analytics-next) posts single
 * events to the one-letter forms (`/v1/` + the type's first letter) and batches to `/v1/b`;
 * analytics-node and RudderStack use the long ones; RudderStack's beacon transport posts batches to
 * `/beacon/v1/batch?writeKey=…` (sendBeacon cannot set an Authorization header).
 * Plain data, so the CDK app can declare exactly these routes.
 */
export const INGEST_ROUTES = {
  '/v1/batch': 'batch',
  '/v1/b': 'batch',
  '/beacon/v1/batch': 'batch',
  '/v1/track': 'track',
  '/v1/t': 'track',
  '/v1/page': 'page',
  '/v1/p': 'page',
  '/v1/identify': 'identify',
  '/v1/i': 'identify',
  '/v1/group': 'group',
  '/v1/g': 'group',
  '/v1/alias': 'alias',
  '/v1/a': 'alias',
  '/v1/screen': 'screen',
  '/v1/s': 'screen',
} as const satisfies Record<string, IngestRoute>

export type IngestPath = keyof typeof INGEST_ROUTES

export const PIXEL_PATH = '/p.gif'
export const CONSENT_PATH = '/v1/consent'
export const CONSENT_VISITOR_PATH = '/v1/consent/{anonymousId}'
/** A visitor's objection to a new policy version's notice, within its window (privacy §11). */
export const CONSENT_OBJECTION_PATH = '/v1/consent/{anonymousId}/objection'
/** Where analytics.js loads its source settings from (`${cdnURL}/v1/projects/${writeKey}/settings`). */
export const SEGMENT_SETTINGS_PATH = '/v1/projects/{writeKey}/settings'
/** A site's contact form (HTML `<form action>` or a script), forwarded to HubSpot's Forms API. */
export const FORM_PATH = '/v1/forms/{formId}'
/** Where RudderStack JS v3 loads its source config from, with `configUrl` set to this URL. */
export const RUDDERSTACK_SOURCE_CONFIG_PATH = '/sourceConfig'

/** The Lambda function that answers a route. */
export type ApiFunction = 'collect' | 'consent'
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface ApiRoute {
  readonly method: ApiMethod
  /** API Gateway's route path: literal segments and `{name}` for one path segment. */
  readonly path: string
  readonly function: ApiFunction
}

/** Every public route: the HTTP API declares exactly these, the local server serves exactly these. */
export const API_ROUTES: ReadonlyArray<ApiRoute> = [
  ...Object.keys(INGEST_ROUTES).map((path): ApiRoute => ({ method: 'POST', path, function: 'collect' })),
  { method: 'POST', path: FORM_PATH, function: 'collect' },
  { method: 'GET', path: PIXEL_PATH, function: 'collect' },
  { method: 'GET', path: SEGMENT_SETTINGS_PATH, function: 'collect' },
  { method: 'GET', path: RUDDERSTACK_SOURCE_CONFIG_PATH, function: 'collect' },
  // Calendly's signed booking webhooks (issue 11), one subscription URL per site.
  { method: 'POST', path: CALENDLY_WEBHOOK_PATH, function: 'collect' },
  // The first-party tag (issue 11): a script tag loads it, so no CORS.
  { method: 'GET', path: TAG_PATH, function: 'collect' },
  { method: 'GET', path: VERSIONED_TAG_PATH, function: 'collect' },
  { method: 'PUT', path: CONSENT_PATH, function: 'consent' },
  { method: 'GET', path: CONSENT_VISITOR_PATH, function: 'consent' },
  { method: 'DELETE', path: CONSENT_VISITOR_PATH, function: 'consent' },
  { method: 'POST', path: CONSENT_OBJECTION_PATH, function: 'consent' },
  // Visitors' rights (issue 10): the visitor id in the body, never in the logged path.
  ...Object.entries(PRIVACY_ROUTES).map(
    ([action, path]): ApiRoute => ({
      method: action === 'traits' ? 'PUT' : 'POST',
      path,
      function: 'consent',
    }),
  ),
]

export interface MatchedRoute {
  route: ApiRoute
  /** API Gateway's `routeKey`: method and route path. */
  routeKey: string
  /** Each `{name}` segment as it appeared in the URL, still percent-encoded. */
  rawPathParameters: Record<string, string>
}

/** The route a request takes, as API Gateway would choose it; undefined for none (404). */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  const segments = path.split('/')
  for (const route of API_ROUTES) {
    if (route.method !== method) continue
    const parameters = matchPath(route.path.split('/'), segments)
    if (parameters) return { route, routeKey: `${route.method} ${route.path}`, rawPathParameters: parameters }
  }
  return undefined
}

function matchPath(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined
  const parameters: Record<string, string> = {}
  for (const [index, part] of template.entries()) {
    const segment = segments[index] ?? ''
    const name = /^\{(\w+)\}$/.exec(part)?.[1]
    if (name) {
      if (segment === '') return undefined
      parameters[name] = segment
    } else if (part !== segment) return undefined
  }
  return parameters
}

export function ingestRouteOf(path: string): IngestRoute | undefined {
  return Object.hasOwn(INGEST_ROUTES, path) ? INGEST_ROUTES[path as IngestPath] : undefined
}

/** The `{writeKey}` of a settings path, still percent-encoded; undefined for any other path. */
export function settingsWriteKeyOf(path: string): string | undefined {
  const match = matchPath(SEGMENT_SETTINGS_PATH.split('/'), path.split('/'))
  return match?.writeKey
}

/** The `{version}` of a versioned tag path, still percent-encoded; undefined for any other path. */
export function tagVersionOf(path: string): string | undefined {
  return matchPath(VERSIONED_TAG_PATH.split('/'), path.split('/'))?.version
}

/** The `{formId}` of a form path, still percent-encoded; undefined for any other path. */
export function formIdOf(path: string): string | undefined {
  return matchPath(FORM_PATH.split('/'), path.split('/'))?.formId
}

/** The `{siteId}` of a Calendly webhook path, still percent-encoded; undefined for any other path. */
export function calendlySiteIdOf(path: string): string | undefined {
  return matchPath(CALENDLY_WEBHOOK_PATH.split('/'), path.split('/'))?.siteId
}
