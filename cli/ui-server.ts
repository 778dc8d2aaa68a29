import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AdminClient } from './admin-client.ts'

export const MAX_PROXIED_BODY_BYTES = 64 * 1024

const PAGE_DIR = new URL('../admin-ui/', import.meta.url)
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
}
/** A page reached by another name (DNS rebinding) or framed elsewhere is not ours to serve. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost'])
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

export interface UiServer {
  /** Where the operator opens the page; the session token rides in the fragment, never sent to a server. */
  pageUrl: string
  port: number
  sessionToken: string
  close(): Promise<void>
  closed: Promise<void>
}

/**
 * The admin page on 127.0.0.1, proxying `/admin/*` to the admin API with the operator's own credentials
 * (like `kubectl proxy`). Only a caller holding this run's session token gets through: any other page
 * in the operator's browser could reach 127.0.0.1 too.
 */
export async function startUiServer(options: { client: AdminClient; port: number }): Promise<UiServer> {
  const sessionToken = randomBytes(32).toString('hex')
  const expected = digest(`Bearer ${sessionToken}`)

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) answerJson(response, 502, { error: 'the admin API could not be reached' })
      else response.destroy()
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const port = (server.address() as AddressInfo).port
    if (!isLoopbackHost(request.headers.host, port)) {
      return answerJson(response, 421, { error: 'open the page as 127.0.0.1 or localhost', field: 'host' })
    }
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`)
    const page = PAGE_FILES[url.pathname]
    if (page !== undefined && request.method === 'GET') {
      const body = await readFile(new URL(page.file, PAGE_DIR))
      response.writeHead(200, { 'content-type': page.type, ...SECURITY_HEADERS }).end(body)
      return
    }
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204, SECURITY_HEADERS).end()
      return
    }
    if (!url.pathname.startsWith('/admin/')) return answerJson(response, 404, { error: 'no such page' })

    const origin = request.headers.origin
    if (origin !== undefined && origin !== `http://${request.headers.host}`) {
      return answerJson(response, 403, { error: 'cross-origin call refused', field: 'origin' })
    }
    if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      return answerJson(response, 401, {
        error: 'the session token from the printed URL is needed',
        field: 'authorization',
      })
    }
    const body = await readBody(request)
    if (body === undefined) {
      return answerJson(response, 413, { error: `body over ${MAX_PROXIED_BODY_BYTES} bytes`, field: 'body' })
    }
    const method = request.method ?? 'GET'
    const answer = await options.client.send(
      method,
      `${url.pathname}${url.search}`,
      method === 'GET' || body === '' ? undefined : body,
    )
    response
      .writeHead(answer.status, { 'content-type': answer.contentType, ...SECURITY_HEADERS })
      .end(answer.body)
  }

  server.listen(options.port, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const closed = once(server, 'close').then(() => undefined)
  return {
    pageUrl: `http://127.0.0.1:${port}/#token=${sessionToken}`,
    port,
    sessionToken,
    closed,
    async close() {
      server.closeAllConnections()
      server.close()
      await closed
    },
  }
}

/** Fixed-length digests, so the constant-time compare never leaks the token's length either. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false
  const colon = host.lastIndexOf(':')
  const name = colon === -1 ? host : host.slice(0, colon)
  const hostPort = colon === -1 ? '80' : host.slice(colon + 1)
  return LOOPBACK_NAMES.has(name) && hostPort === String(port)
}

/** The whole body as text, or undefined once it passes the limit (the rest is not read). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > MAX_PROXIED_BODY_BYTES) return undefined
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += buffer.length
    if (size > MAX_PROXIED_BODY_BYTES) return undefined
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function answerJson(response: ServerResponse, status: number, body: { error: string; field?: string }): void {
  response
    .writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS })
    .end(JSON.stringify(body))
}
