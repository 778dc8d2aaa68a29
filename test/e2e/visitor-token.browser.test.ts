import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LoopbackBrowser, launchLoopbackBrowser, type WatchedPage } from '../support/browser.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'

const WRITE_KEY = 'token-browser-write-key'

async function startSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><p>site</p>')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, server }
}

/**
 * The visitor token as a real browser handles it: the site's page (another origin of the same site, as
 * `t.example.com` is for `www.example.com`) records consent with `fetch(…, { credentials: 'include' })`,
 * Chromium keeps the HttpOnly cookie and sends it back, so the visitor can read and revoke; another
 * browser with the same public key and id learns nothing and changes nothing.
 */
describe('the visitor token cookie in Chromium, through npm start', () => {
  let site: { url: string; server: Server }
  let system: LocalProcess
  let browser: LoopbackBrowser
  let visitor: WatchedPage
  let stranger: WatchedPage

  /** Runs one request from the page, as the site's own script would, and answers its status. */
  const call = (
    from: WatchedPage,
    method: string,
    path: string,
    body: unknown,
    credentials: 'include' | 'omit',
  ): Promise<number> =>
    from.page.evaluate(
      async ({ url, method, body, credentials, authorization }) => {
        const response = await fetch(url, {
          method,
          credentials,
          headers: { 'content-type': 'application/json', authorization },
          ...(body === null ? {} : { body: JSON.stringify(body) }),
        })
        return response.status
      },
      {
        url: `${system.url}${path}`,
        method,
        body: body ?? null,
        credentials,
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
    )

  beforeAll(async () => {
    site = await startSite()
    system = await startLocalProcess({
      TAGWARDEN_CONFIG_JSON: JSON.stringify({
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [site.url] }],
        vendors: { ga4: { enabled: true, measurementId: 'G-TOKEN1' } },
      }),
    })
    browser = await launchLoopbackBrowser()
    visitor = await browser.newPage()
    stranger = await browser.newPage()
    await visitor.page.goto(site.url)
    await stranger.page.goto(site.url)
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await system?.stop()
    await new Promise((resolve) => site?.server.close(resolve))
  })

  it('lets only the browser that consented read, change and revoke, with the cookie it was given', async () => {
    const consent = { anonymousId: 'ada', purposes: { analytics: true } }
    expect(await call(visitor, 'PUT', '/v1/consent', consent, 'include')).toBe(200)
    const cookies = await visitor.context.cookies()
    expect(cookies.find((cookie) => cookie.name === 'tw_vt')).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/v1/',
    })

    expect(await call(visitor, 'GET', '/v1/consent/ada', null, 'include')).toBe(200)
    // The same page without its cookie, and another browser with the key and the id: nothing to see.
    expect(await call(visitor, 'GET', '/v1/consent/ada', null, 'omit')).toBe(404)
    expect(await call(stranger, 'GET', '/v1/consent/ada', null, 'include')).toBe(404)
    expect(await call(stranger, 'DELETE', '/v1/consent/ada', null, 'include')).toBe(404)
    const widened = { anonymousId: 'ada', purposes: { analytics: true, marketing: true } }
    expect(await call(stranger, 'PUT', '/v1/consent', widened, 'include')).toBe(403)

    expect(await call(visitor, 'PUT', '/v1/consent', widened, 'include')).toBe(200)
    expect(await call(visitor, 'DELETE', '/v1/consent/ada', null, 'include')).toBe(200)
    expect(visitor.corsErrors()).toEqual([])
  }, 60_000)
})
