import { createHash, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda'
import { ADMIN_ROUTES, LOCAL_ADMIN_PRINCIPAL } from '#shared/admin/api.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'
import { BodyTooLargeError, toApiGatewayEvent, writeResult } from './api-gateway.ts'
import { lambdaContext } from './lambda-context.ts'

export const DEFAULT_ADMIN_PORT = 8788
/** Any other Host is a DNS-rebinding attempt: a page on another name reaching this loopback port. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost'])
/** The admin page's files (admin-ui/), by URL path: only these, nothing else from the directory. */
const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
}
const NO_STORE = { 'cache-control': 'no-store' }

export type AdminApiHandler = (
  event: APIGatewayProxyEventV2WithIAMAuthorizer,
  context: ReturnType<typeof lambdaContext>,
) => Promise<HttpResult>

export interface LocalAdminServerOptions {
  handler: AdminApiHandler
  /** What `Authorization: Bearer …` must carry; it stands in for IAM locally. */
  token: string
  /** 0: any free port. */
  port: number
  print: (line: string) => void
  /** Where the admin page's index.html, app.js and style.css are (admin-ui/); absent files answer 404. */
  staticDirectory?: string
}

export interface LocalAdminServer {
  url: string
  close(): Promise<void>
}

const ROUTE_MATCHERS = ADMIN_ROUTES.map((route) => ({
  method: route.method,
  routeKey: `${route.method} ${route.path}`,
  pattern: new RegExp(`^${route.path.replace('{id}', '(?<id>[^/]+)')}$`),
}))

function adminRoute(method: string, path: string) {
  for (const matcher of ROUTE_MATCHERS) {
    if (matcher.method !== method) continue
    const match = matcher.pattern.exec(path)
    if (!match) continue
    const id = match.groups?.id
    return {
      routeKey: matcher.routeKey,
      ...(id !== undefined ? { pathParameters: { id: decoded(id) } } : {}),
    }
  }
  return undefined
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Compares digests, so neither the token's content nor its length shows in the timing. */
function presentsToken(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (\S+)$/.exec(header ?? '')?.[1]
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token))
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false
  try {
    return LOOPBACK_HOSTS.has(new URL(`http://${host}`).hostname)
  } catch {
    return false
  }
}

/**
 * The admin API and page for `npm start`, on 127.0.0.1 beside (not inside) the public API: `/admin/*`
 * requests need the local admin token and reach the same handler as in Lambda, as API Gateway would
 * hand them over after IAM authorisation, acting as LOCAL_ADMIN_PRINCIPAL.
 */
export async function startLocalAdminServer(options: LocalAdminServerOptions): Promise<LocalAdminServer> {
  const { handler, token, print } = options

  async function serveStatic(response: ServerResponse, path: string): Promise<void> {
    const asset = STATIC_FILES[path]
    if (!asset || !options.staticDirectory)
      return writeResult(response, jsonResponse(404, { error: `no page at ${path}` }, NO_STORE))
    let body: Buffer
    try {
      body = await readFile(join(options.staticDirectory, asset.file))
    } catch {
      return writeResult(response, jsonResponse(404, { error: `no page at ${path}` }, NO_STORE))
    }
    response.writeHead(200, { 'content-type': asset.type, ...NO_STORE, 'x-content-type-options': 'nosniff' })
    response.end(body)
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET'
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (!isLoopbackHost(request.headers.host)) {
      const refusal = { error: 'the admin server answers only Host 127.0.0.1 or localhost', field: 'host' }
      return writeResult(response, jsonResponse(403, refusal, NO_STORE))
    }
    if (path !== '/admin' && !path.startsWith('/admin/')) {
      if (method !== 'GET' && method !== 'HEAD')
        return writeResult(response, jsonResponse(404, { error: `no route for ${method} ${path}` }, NO_STORE))
      return serveStatic(response, path)
    }
    if (!presentsToken(request.headers.authorization, token)) {
      const refusal = {
        error: 'the local admin token is required (Authorization: Bearer <token>)',
        field: 'authorization',
      }
      return writeResult(response, jsonResponse(401, refusal, NO_STORE))
    }
    const route = adminRoute(method, path)
    if (!route)
      return writeResult(response, jsonResponse(404, { error: `no route for ${method} ${path}` }, NO_STORE))
    const event = await toApiGatewayEvent(request, route.routeKey, route.pathParameters)
    // API Gateway's IAM authorizer consumes the signature; the handler never sees the local token either.
    const { authorization: _token, ...headers } = event.headers
    const adminEvent: APIGatewayProxyEventV2WithIAMAuthorizer = {
      ...event,
      headers,
      requestContext: {
        ...event.requestContext,
        authorizer: {
          iam: {
            accessKey: 'local',
            accountId: 'local',
            callerId: LOCAL_ADMIN_PRINCIPAL,
            cognitoIdentity: null,
            principalOrgId: '',
            userArn: LOCAL_ADMIN_PRINCIPAL,
            userId: LOCAL_ADMIN_PRINCIPAL,
          },
        },
      },
    }
    writeResult(response, await handler(adminEvent, lambdaContext('tagwarden-admin-local')))
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError)
        return writeResult(response, jsonResponse(413, { error: 'body too large', field: 'body' }))
      print(`[error] admin: ${error instanceof Error ? error.name : 'Error'}: ${String(error)}`)
      writeResult(response, jsonResponse(500, { error: 'internal error' }))
    })
  })
  server.listen(options.port, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      server.closeAllConnections()
      await closed
    },
  }
}
