import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { HttpResult } from '#shared/http/response.ts'

/** API Gateway HTTP APIs refuse larger payloads; the collector enforces its own, smaller limits. */
const MAX_LOCAL_BODY_BYTES = 10 * 1024 * 1024

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
}

/** Builds the API Gateway HTTP API (payload v2) event that AWS would hand the function for this request. */
export async function toApiGatewayEvent(
  request: IncomingMessage,
  routeKey: string,
  pathParameters?: Record<string, string>,
): Promise<APIGatewayProxyEventV2> {
  const url = new URL(request.url ?? '/', 'http://localhost')
  const body = await readBody(request)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  // API Gateway tells the function how the client connected; locally that is plain HTTP.
  headers['x-forwarded-proto'] ??= 'http'
  headers['x-forwarded-port'] ??= String(request.socket.localPort ?? '')
  // Payload format 2.0 moves the Cookie header into `cookies`, one `name=value` each.
  const cookies = headers.cookie?.split(/;\s*/).filter((cookie) => cookie !== '')
  delete headers.cookie
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined
  const now = new Date()
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    ...(query ? { queryStringParameters: query } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
    },
    ...eventBody(body, headers),
  }
}

/**
 * HTTP APIs hand the function a UTF-8 string only for text content types; any other body (no content
 * type, form encoding, octet-stream) arrives base64-encoded, and so does a compressed one, whose bytes
 * are binary whatever its content type says.
 */
function eventBody(
  body: Buffer,
  headers: Record<string, string>,
): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false }
  const encoding = headers['content-encoding']?.trim().toLowerCase()
  const compressed = encoding !== undefined && encoding !== '' && encoding !== 'identity'
  if (!compressed && isTextContentType(headers['content-type']))
    return { body: body.toString('utf8'), isBase64Encoded: false }
  return { body: body.toString('base64'), isBase64Encoded: true }
}

const TEXT_APPLICATION_TYPES = new Set(['application/json', 'application/xml', 'application/javascript'])

function isTextContentType(header: string | undefined): boolean {
  const mediaType = header?.split(';', 1)[0]?.trim().toLowerCase() ?? ''
  return mediaType.startsWith('text/') || TEXT_APPLICATION_TYPES.has(mediaType)
}

/**
 * Writes a structured result as API Gateway v2 does: each entry of `cookies` becomes its own
 * `Set-Cookie` header, after one the handler may have put in `headers`.
 */
export function writeResult(response: ServerResponse, result: HttpResult): void {
  const body = result.body ?? ''
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value)
  const cookies = result.cookies ?? []
  if (cookies.length > 0) {
    const fromHeader = headers['set-cookie']
    headers['set-cookie'] = [...(typeof fromHeader === 'string' ? [fromHeader] : []), ...cookies]
  }
  response.writeHead(result.statusCode ?? 200, headers)
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body)
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += buffer.length
    if (size > MAX_LOCAL_BODY_BYTES) throw new BodyTooLargeError('request body too large')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}
