import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CapturedRequest {
  method: string
  /** Path and query as received, e.g. `/mp/collect?measurement_id=G-X&api_secret=s`. */
  url: string
  path: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  body: string
}

export interface CaptureResponse {
  status: number
  body?: string
  headers?: Record<string, string>
}

export interface CaptureServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string
  requests: CapturedRequest[]
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedRequest[]>
  close(): Promise<void>
}

/**
 * A vendor stand-in on loopback that records every request. `respond` decides the answer (default 204);
 * a promise that never settles holds the request open, as a hung vendor would.
 */
export async function startCaptureServer(
  options: { respond?: (request: CapturedRequest) => CaptureResponse | Promise<CaptureResponse> } = {},
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = []
  const waiters = new Set<() => void>()
  const respond = options.respond ?? ((): CaptureResponse => ({ status: 204 }))

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(Buffer.from(chunk))
    const url = new URL(req.url ?? '/', 'http://capture.invalid')
    const captured: CapturedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    }
    requests.push(captured)
    for (const wake of waiters) wake()
    const answer = await respond(captured)
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? '')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return
          cleanup()
          resolve(requests.slice(0, count))
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`expected ${count} requests within ${timeoutMs} ms, got ${requests.length}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    close() {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
