import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

/** Debian's Chromium, never a downloaded Playwright build. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/** A headless browser's own user agent is rightly taken for a bot and not forwarded. */
export const DESKTOP_CHROME_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:'])

export interface WatchedPage {
  page: Page
  context: BrowserContext
  /** Every URL the page or its workers tried to load from anywhere but loopback (all were refused). */
  offLoopbackRequests: string[]
  /** Console errors and uncaught page errors, in order. */
  errors: string[]
  /** The errors in which the browser reports a CORS refusal. */
  corsErrors(): string[]
  /**
   * Moves the page's clock `ms` ahead (its timers fire, as if the visitor stayed that long), then waits
   * until every request the page started meanwhile has been seen.
   */
  stayFor(ms: number): Promise<void>
}

export interface LoopbackBrowser {
  /** A new context (fresh storage, desktop user agent) with one page, watched from its first request. */
  newPage(): Promise<WatchedPage>
  close(): Promise<void>
}

/** Tells whether a URL leaves the machine; `data:`, `blob:` and `about:` never touch the network. */
export function isOffLoopback(url: string): boolean {
  const parsed = new URL(url)
  return NETWORK_SCHEMES.has(parsed.protocol) && !LOOPBACK_HOSTS.has(parsed.hostname)
}

/**
 * Headless Chromium that cannot reach anything but loopback: every other request goes to a proxy on
 * loopback that refuses it (Chromium never proxies loopback itself), and each page records what it
 * tried, so a test can assert that nothing came from a third party.
 *
 * Deliberately no `context.route()`: while any route is registered, Playwright answers every CORS
 * preflight itself with permissive headers, which would hide exactly the CORS faults these tests exist
 * to catch. Faults are injected by a proxy in front of the API instead (test/support/fault-proxy.ts).
 */
export async function launchLoopbackBrowser(): Promise<LoopbackBrowser> {
  const refuser = await startRefusingProxy()
  // chromium.launch gives every browser a fresh temporary profile and deletes it on close.
  const browser: Browser = await chromium
    .launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS, `--proxy-server=${refuser.url}`] })
    .catch(async (error: unknown) => {
      await refuser.close()
      throw error
    })

  return {
    async newPage() {
      const context = await browser.newContext({ userAgent: DESKTOP_CHROME_USER_AGENT })
      const offLoopbackRequests: string[] = []
      const errors: string[] = []
      context.on('request', (request) => {
        if (isOffLoopback(request.url())) offLoopbackRequests.push(request.url())
      })
      const page = await context.newPage()
      // A controllable clock from the first script on, so a test can let an SDK's long timers fire now.
      await page.clock.install()
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text())
      })
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
      return {
        page,
        context,
        offLoopbackRequests,
        errors,
        corsErrors: () => errors.filter((text) => /CORS|Access-Control-Allow/i.test(text)),
        async stayFor(ms) {
          await page.clock.fastForward(ms)
          await requestsSettled(context, page)
        },
      }
    },
    async close() {
      await browser.close()
      await refuser.close()
    },
  }
}

/**
 * Chromium reports a page's requests in the order the page starts them, so once a marker request made
 * now has been reported, every earlier one has been too.
 */
async function requestsSettled(context: BrowserContext, page: Page): Promise<void> {
  const marker = `${new URL(page.url()).origin}/?settled=${randomUUID()}`
  const seen = new Promise<void>((resolve) => {
    const onRequest = (request: { url(): string }) => {
      if (request.url() !== marker) return
      context.off('request', onRequest)
      resolve()
    }
    context.on('request', onRequest)
  })
  await page.evaluate(`fetch(${JSON.stringify(marker)}).then(() => undefined)`)
  await seen
}

/** A forward proxy that refuses every request and tunnel. */
async function startRefusingProxy(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_request, response) => {
    response.writeHead(403, { 'content-type': 'text/plain' }).end('off-loopback request refused by the test')
  })
  server.on('connect', (_request, socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
