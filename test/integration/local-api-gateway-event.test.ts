import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import { gzipSync } from 'node:zlib'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toApiGatewayEvent } from '../../local/api-gateway.ts'
import { rawRequest } from '../support/raw-http.ts'

/** A loopback server that turns each request into the event the local system hands a handler. */
describe('the local API Gateway event, built from a real HTTP request', () => {
  let server: Server
  let url: string
  let last: APIGatewayProxyEventV2 | undefined

  beforeAll(async () => {
    server = createServer((request, response) => {
      toApiGatewayEvent(request, 'POST /v1/batch').then((event) => {
        last = event
        response.end('ok')
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${portOf(server)}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const eventFor = async (headers: Record<string, string>, body: Buffer | string) => {
    await rawRequest(`${url}/v1/batch?writeKey=k-1`, { method: 'POST', headers, body })
    if (!last) throw new Error('no event was built')
    return last
  }
  const json = '{"batch":[]}'

  it('passes a text body (JSON, text/plain) as a UTF-8 string, as HTTP APIs do', async () => {
    for (const type of ['application/json', 'text/plain;charset=UTF-8', 'application/json; charset=utf-8']) {
      const event = await eventFor({ 'content-type': type }, json)
      expect([event.body, event.isBase64Encoded]).toEqual([json, false])
    }
  })

  it('base64-encodes a body without a text content type, as HTTP APIs do', async () => {
    const bodies: Array<Record<string, string>> = [
      {},
      { 'content-type': 'application/octet-stream' },
      { 'content-type': 'application/x-www-form-urlencoded' },
    ]
    for (const headers of bodies) {
      const event = await eventFor(headers, json)
      expect(event.isBase64Encoded).toBe(true)
      expect(Buffer.from(event.body ?? '', 'base64').toString()).toBe(json)
    }
  })

  it('base64-encodes a compressed body whatever its content type, keeping its bytes intact', async () => {
    const gzipped = gzipSync(json)
    const event = await eventFor({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipped)
    expect(event.isBase64Encoded).toBe(true)
    expect(Buffer.from(event.body ?? '', 'base64').equals(gzipped)).toBe(true)
    expect(event.headers['content-encoding']).toBe('gzip')
  })

  it('carries the query string and the forwarded protocol as API Gateway does', async () => {
    const event = await eventFor({ 'content-type': 'application/json' }, json)
    expect(event.queryStringParameters).toEqual({ writeKey: 'k-1' })
    expect(event.headers['x-forwarded-proto']).toBe('http')
  })
})

function portOf(server: Server): number {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no port')
  return address.port
}
