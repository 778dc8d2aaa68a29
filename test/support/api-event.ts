import type { APIGatewayProxyEventV2 } from 'aws-lambda'

export interface ApiEventInput {
  method: string
  /** The path as it appears in the URL (percent-encoded), without the query string. */
  path: string
  /** Defaults to `<METHOD> <path>`; API Gateway would put the route template here. */
  routeKey?: string
  /** Header names are lowercased, as API Gateway HTTP APIs deliver them. */
  headers?: Record<string, string>
  query?: Record<string, string>
  /** A string is sent as is; anything else is sent as JSON with a JSON content type. */
  body?: unknown
  isBase64Encoded?: boolean
  sourceIp?: string
  pathParameters?: Record<string, string>
  cookies?: string[]
  stage?: string
}

const DEFAULT_SOURCE_IP = '203.0.113.77'
const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36'
const FIXED_TIME = new Date('2024-05-06T07:08:09.000Z')

function lowercaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
}

function encodeBody(body: unknown): { text: string | undefined; json: boolean } {
  if (body === undefined) return { text: undefined, json: false }
  if (typeof body === 'string') return { text: body, json: false }
  return { text: JSON.stringify(body), json: true }
}

/** A realistic API Gateway HTTP API (payload format 2.0) event, as Lambda and the local server receive it. */
export function apiEvent(input: ApiEventInput): APIGatewayProxyEventV2 {
  const method = input.method.toUpperCase()
  const body = encodeBody(input.body)
  const headers = lowercaseKeys({
    host: 'collect.example.com',
    'user-agent': DEFAULT_USER_AGENT,
    ...(body.json ? { 'content-type': 'application/json' } : {}),
    ...(input.headers ?? {}),
  })
  const query = input.query && Object.keys(input.query).length > 0 ? input.query : undefined
  const routeKey = input.routeKey ?? `${method} ${input.path}`
  return {
    version: '2.0',
    routeKey,
    rawPath: input.path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    ...(input.cookies ? { cookies: input.cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'tagwarden',
      domainName: headers.host ?? 'collect.example.com',
      domainPrefix: 'collect',
      http: {
        method,
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? DEFAULT_SOURCE_IP,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: 'request-id',
      routeKey,
      stage: input.stage ?? '$default',
      time: '06/May/2024:07:08:09 +0000',
      timeEpoch: FIXED_TIME.getTime(),
    },
    ...(body.text !== undefined ? { body: body.text } : {}),
    isBase64Encoded: input.isBase64Encoded ?? false,
  }
}

/** `Authorization: Basic base64(writeKey:)`, as Segment clients send the write key. */
export function basicAuthorization(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`
}

/** The Lambda context handlers receive; the local runtime builds the same one. */
export { lambdaContext } from '../../local/lambda-context.ts'
