import { once } from 'node:events'
import { createServer, get, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeResult } from '../../local/api-gateway.ts'

/** API Gateway v2 sends each entry of a structured result's `cookies` as its own Set-Cookie; so must the local server. */
describe('the local server writing a handler result with cookies', () => {
  let server: Server
  let port: number

  beforeAll(async () => {
    server = createServer((_request, response) =>
      writeResult(response, {
        statusCode: 200,
        headers: { 'Set-Cookie': 'tw_vt=token; Path=/v1/', 'content-type': 'application/json' },
        cookies: ['tw_id=abc; Max-Age=60; Path=/', 'tw_s=; Max-Age=0; Path=/'],
        body: '{}',
      }),
    )
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    port = typeof address === 'object' && address ? address.port : 0
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('emits one Set-Cookie header per cookie, the header one first', async () => {
    const setCookies = await new Promise<string[] | undefined>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/`, (response) => {
        response.resume()
        resolve(response.headers['set-cookie'])
      }).on('error', reject)
    })
    expect(setCookies).toEqual([
      'tw_vt=token; Path=/v1/',
      'tw_id=abc; Max-Age=60; Path=/',
      'tw_s=; Max-Age=0; Path=/',
    ])
  })
})
