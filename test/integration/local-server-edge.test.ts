import { createRequire } from 'node:module'
import { deflateSync, gzipSync } from 'node:zlib'
import type { loadCDNSettings as LoadCdnSettings } from '@segment/analytics-next/dist/types/browser/index.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CORS_ALLOWED_HEADERS } from '#shared/http/cors.ts'
import { DEV_WRITE_KEY, developmentConfig } from '../../local/dev-config.ts'
import { type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { basicAuthorization } from '../support/api-event.ts'
import { rawRequest } from '../support/raw-http.ts'

// analytics-next's own settings loader (what AnalyticsBrowser.load runs first), from its CommonJS build.
const { loadCDNSettings }: { loadCDNSettings: typeof LoadCdnSettings } = createRequire(import.meta.url)(
  '@segment/analytics-next/dist/cjs/browser/index.js',
)

const ORIGIN = 'http://localhost:3000'
const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

describe('the local server over real HTTP: CORS, routes, compressed bodies, developer endpoints', () => {
  let system: LocalSystem
  const lines: string[] = []

  beforeAll(async () => {
    system = await startLocalSystem({
      config: developmentConfig(),
      port: 0,
      pseudonymKey: 'local-server-edge-pseudonym-key',
      credentials: { ga4: JSON.stringify({ apiSecret: 'local-server-edge-ga4-secret' }) },
      trustProxy: false,
      print: (line) => lines.push(line),
    })
  })
  afterAll(() => system?.close())

  const send = (
    path: string,
    options: { method: string; headers?: Record<string, string>; body?: Buffer | string },
  ) => rawRequest(`${system.url}${path}`, options)
  const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    send(path, {
      method: 'POST',
      body,
      headers: {
        authorization: basicAuthorization(DEV_WRITE_KEY),
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
        origin: ORIGIN,
        ...headers,
      },
    })
  const batch = (event: string) =>
    JSON.stringify({ batch: [{ type: 'track', event, anonymousId: 'visitor-local-edge' }] })

  describe('CORS', () => {
    const preflight = (origin: string, requested: string) =>
      send('/v1/batch', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': requested,
        },
      })

    it('allows analytics.js’s retry header and RudderStack’s headers to a configured origin', async () => {
      const response = await preflight(
        ORIGIN,
        'content-type,x-retry-count,authorization,anonymousid,sentat,rsa-retry-attempt,rsa-since-last-attempt',
      )
      expect(response.status).toBe(204)
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN)
      const allowed = String(response.headers['access-control-allow-headers']).split(', ')
      expect(allowed).toEqual([...CORS_ALLOWED_HEADERS])
      for (const header of ['content-type', 'x-retry-count', 'anonymousid', 'sentat', 'rsa-retry-attempt'])
        expect(allowed).toContain(header)
      // The consent routes' visitor token cookie is sent only when the preflight allows credentials.
      expect(response.headers['access-control-allow-credentials']).toBe('true')
    })

    it('allows nothing to a foreign origin or to Origin: null', async () => {
      for (const origin of ['https://evil.example', 'null']) {
        const response = await preflight(origin, 'content-type')
        expect(response.status).toBe(403)
        expect(response.headers).not.toHaveProperty('access-control-allow-origin')
        expect(response.headers).not.toHaveProperty('access-control-allow-headers')
      }
    })

    it('lets a configured origin read a 404, with no credentials', async () => {
      const response = await send('/v1/nowhere', { method: 'POST', headers: { origin: ORIGIN } })
      expect(response.status).toBe(404)
      expect(JSON.parse(response.body)).toEqual({ error: 'no route for POST /v1/nowhere' })
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN)
      expect(response.headers).not.toHaveProperty('access-control-allow-credentials')
    })
  })

  describe('routes', () => {
    it('accepts analytics.js’s /v1/g and skips it', async () => {
      const response = await post(
        '/v1/g',
        JSON.stringify({ type: 'group', groupId: 'acme', anonymousId: 'v-1' }),
      )
      expect(response.status).toBe(200)
      expect(JSON.parse(response.body)).toMatchObject({ success: true, queued: 0, skipped: 1 })
    })

    it('accepts the RudderStack beacon batch with the write key in the query and a text/plain body', async () => {
      const response = await send(`/beacon/v1/batch?writeKey=${DEV_WRITE_KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, 'user-agent': BROWSER_UA },
        body: JSON.stringify({
          batch: [{ type: 'page', anonymousId: 'v-2' }],
          sentAt: new Date().toISOString(),
        }),
      })
      expect(response.status).toBe(200)
      expect(JSON.parse(response.body)).toMatchObject({ success: true, accepted: 1 })
    })

    it('answers malformed percent-encoding in a consent path with 400 naming anonymousId', async () => {
      const response = await send('/v1/consent/%E0%A4%A', {
        method: 'GET',
        headers: { authorization: basicAuthorization(DEV_WRITE_KEY) },
      })
      expect(response.status).toBe(400)
      expect(JSON.parse(response.body)).toEqual({
        error: 'is not valid percent-encoding',
        field: 'anonymousId',
      })
    })
  })

  describe('compressed bodies', () => {
    it('collects a gzip body and a deflate body sent as a client sends them', async () => {
      const gzip = await post('/v1/batch', gzipSync(batch('Gzipped')), { 'content-encoding': 'gzip' })
      const deflate = await post('/v1/batch', deflateSync(batch('Deflated')), {
        'content-encoding': 'deflate',
      })
      expect([gzip.status, deflate.status]).toEqual([200, 200])
      expect(JSON.parse(gzip.body)).toMatchObject({ success: true, accepted: 1 })
    })

    it('answers a zip bomb with 413 and corrupt gzip with 400, naming body', async () => {
      const bomb = await post('/v1/batch', gzipSync(Buffer.alloc(50 * 1024 * 1024)), {
        'content-encoding': 'gzip',
      })
      const corrupt = await post('/v1/batch', Buffer.from('not gzip'), { 'content-encoding': 'gzip' })
      expect([bomb.status, corrupt.status]).toEqual([413, 400])
      expect([JSON.parse(bomb.body).field, JSON.parse(corrupt.body).field]).toEqual(['body', 'body'])
      expect(bomb.headers['access-control-allow-origin']).toBe(ORIGIN)
    })

    it('answers an unknown coding with 415 naming content-encoding', async () => {
      const response = await post('/v1/batch', batch('Brotli?'), { 'content-encoding': 'br' })
      expect(response.status).toBe(415)
      expect(JSON.parse(response.body).field).toBe('content-encoding')
    })
  })

  describe('developer endpoints', () => {
    it('answers the outbox for Host 127.0.0.1 and localhost only (no DNS rebinding)', async () => {
      const port = new URL(system.url).port
      const outboxFor = (host: string) => send('/__tagwarden/outbox', { method: 'GET', headers: { host } })
      const [loopback, localhost, rebound] = [
        await outboxFor(`127.0.0.1:${port}`),
        await outboxFor(`localhost:${port}`),
        await outboxFor(`attacker.example:${port}`),
      ]
      expect([loopback.status, localhost.status, rebound.status]).toEqual([200, 200, 403])
      expect(JSON.parse(loopback.body)).toHaveProperty('decisions')
      expect(JSON.parse(rebound.body)).toMatchObject({ field: 'host' })
      expect(rebound.body).not.toContain('decisions')
    })
  })

  describe('analytics.js without Segment’s CDN', () => {
    it('serves the settings analytics-next loads, pointing it back at this server', async () => {
      const settings = await loadCDNSettings(DEV_WRITE_KEY, system.url)
      const segment = settings.integrations['Segment.io']
      expect(segment).toMatchObject({
        apiKey: DEV_WRITE_KEY,
        apiHost: `${new URL(system.url).host}/v1`,
        protocol: 'http',
      })
      expect(Object.keys(settings.integrations)).toEqual(['Segment.io'])

      // analytics-next posts a track call to `${protocol}://${apiHost}/t` with a text/plain body.
      const response = await rawRequest(`${segment.protocol}://${segment.apiHost}/t`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': BROWSER_UA },
        body: JSON.stringify({
          type: 'track',
          event: 'Settings Work',
          anonymousId: 'v-3',
          writeKey: segment.apiKey,
        }),
      })
      expect(response.status).toBe(200)
    })

    it('answers an unknown write key with 404, which analytics-next reports as a failed load', async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
      await expect(loadCDNSettings('unknown-key-123', system.url)).rejects.toThrow(
        'source settings not found',
      )
      expect(consoleError).toHaveBeenCalled()
      consoleError.mockRestore()
    })
  })

  describe('RudderStack JS v3 without its control plane', () => {
    it('serves the source config at the URL the SDK builds from configUrl ending in /sourceConfig', async () => {
      const response = await send(`/sourceConfig?p=npm&v=3.34.1&build=modern&writeKey=${DEV_WRITE_KEY}`, {
        method: 'GET',
        headers: {
          origin: ORIGIN,
          authorization: basicAuthorization(DEV_WRITE_KEY),
          accept: 'application/json',
        },
      })
      expect(response.status).toBe(200)
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN)
      expect(JSON.parse(response.body).source).toMatchObject({ enabled: true, destinations: [] })
    })
  })

  describe('refusals and their count', () => {
    it('refuses Origin: null on the consent API with 403 naming origin', async () => {
      const response = await send('/v1/consent', {
        method: 'PUT',
        headers: {
          authorization: basicAuthorization(DEV_WRITE_KEY),
          'content-type': 'application/json',
          origin: 'null',
        },
        body: JSON.stringify({ anonymousId: 'v-4', purposes: { analytics: true } }),
      })
      expect(response.status).toBe(403)
      expect(JSON.parse(response.body).field).toBe('origin')
    })

    it('logs a refused pixel as a warning and counts it in /__tagwarden/metrics', async () => {
      const count = async () =>
        JSON.parse((await send('/__tagwarden/metrics', { method: 'GET' })).body).PixelClientErrors
      const before = await count()
      const pixel = await send('/p.gif?k=unknown-key-123&aid=v-5', {
        method: 'GET',
        headers: { 'user-agent': BROWSER_UA },
      })
      expect(pixel.status).toBe(200)
      expect(await count()).toBe(before + 1)
      expect(lines).toContain('[warn] pixel request refused: UnauthorizedError (writeKey): unknown write key')
      expect(lines.filter((line) => line.startsWith('[error]'))).toEqual([])
    })
  })
})
