import { once } from 'node:events'
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ProxiedRequest {
  method: string
  /** Path and query as received. */
  url: string
  headers: IncomingHttpHeaders
  /** The body exactly as the client sent it (still compressed if it was). */
  body: Buffer
  /** The status the client got: the injected one, or the one the API answered. */
  status: number
  injected: boolean
}

export interface FaultProxy {
  /** Base URL, e.g. `http://127.0.0.1:40123`; point the client here instead of at the API. */
  url: string
  /** Every request the client made through the proxy, in arrival order, once answered. */
  requests: ProxiedRequest[]
  close(): Promise<void>
}

export interface FaultProxyOptions {
  /** The API to forward to, e.g. `http://127.0.0.1:8787`. */
  target: string
  /** Which requests may get an injected failure (preflights never do). */
  shouldFail: (request: { method: string; path: string }) => boolean
  /** How many matching requests get the failure before everything passes through. Default 1. */
  failures?: number
  /** The injected status. Default 503. */
  status?: number
}

/**
 * A transparent loopback reverse proxy in front of the API that answers the first matching request(s)
 * with a 5xx, the way an overloaded gateway or a failed deployment would, so a client's retry path runs
 * against the real API. Host and every header pass through unchanged. The injected answer carries the
 * CORS headers for the caller's origin, as every tagwarden response must, so a browser client sees the
 * status rather than a network error.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target)
  const requests: ProxiedRequest[] = []
  let failuresLeft = options.failures ?? 1
  const status = options.status ?? 503

  const server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET'
    const url = incoming.url ?? '/'
    const path = new URL(url, 'http://proxy.invalid').pathname
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    const record = (answered: number, injected: boolean) =>
      requests.push({
        method,
        url,
        headers: incoming.headers,
        body: Buffer.concat(chunks),
        status: answered,
        injected,
      })

    if (method !== 'OPTIONS' && failuresLeft > 0 && options.shouldFail({ method, path })) {
      failuresLeft -= 1
      incoming.resume()
      incoming.on('end', () => {
        const origin = incoming.headers.origin
        const cors = origin ? { 'access-control-allow-origin': origin } : {}
        outgoing
          .writeHead(status, { 'content-type': 'application/json', vary: 'Origin', ...cors })
          .end(JSON.stringify({ error: 'injected failure' }))
        record(status, true)
      })
      return
    }

    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method, path: url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
        answer.on('end', () => record(answer.statusCode ?? 502, false))
        // A browser or the API that drops its connection mid-answer is the test's business, not a crash.
        answer.on('error', () => outgoing.destroy())
      },
    )
    upstream.on('error', () => {
      if (outgoing.headersSent) outgoing.destroy()
      else outgoing.writeHead(502).end()
      record(502, false)
    })
    incoming.on('error', () => upstream.destroy())
    outgoing.on('error', () => upstream.destroy())
    incoming.pipe(upstream)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
