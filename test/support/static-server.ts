import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StaticFile {
  contentType: string
  body: string
}

export interface StaticServer {
  /**
   * `http://localhost:<port>`: a site origin that differs from the API's `http://127.0.0.1:<port>`, so a
   * browser applies CORS to every call the page makes to the API.
   */
  url: string
  /**
   * The same server as `http://127.0.0.1:<port>`: the API's own site (another port is another origin of
   * the same site), as `www.example.com` is for a tagwarden endpoint at `t.example.com`. First-party
   * cookies (SameSite=Lax) reach the API only from a page of the same site.
   */
  sameSiteUrl: string
  /** Serves `file` at `path` (exact match) from now on. */
  serve(path: string, file: StaticFile): void
  close(): Promise<void>
}

/** A loopback web server for test pages and the SDK bundles they load; anything else is a 404. */
export async function startStaticServer(): Promise<StaticServer> {
  const files = new Map<string, StaticFile>()
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const file = request.method === 'GET' ? files.get(path) : undefined
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    response.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' }).end(file.body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    url: `http://localhost:${port}`,
    sameSiteUrl: `http://127.0.0.1:${port}`,
    serve(path, file) {
      files.set(path, file)
    },
    close() {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export const html = (body: string): StaticFile => ({ contentType: 'text/html; charset=utf-8', body })
export const javascript = (body: string): StaticFile => ({
  contentType: 'text/javascript; charset=utf-8',
  body,
})
export const json = (value: unknown): StaticFile => ({
  contentType: 'application/json',
  body: JSON.stringify(value),
})
