import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { type LoopbackBrowser, launchLoopbackBrowser, type WatchedPage } from '../support/browser.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'
import { html, type StaticServer, startStaticServer } from '../support/static-server.ts'
import { CONSENT_MODE_DEFAULT_DENIED, readmeTagSnippet } from '../support/tag-endpoint.ts'

const WRITE_KEY = 'tag-e2e-write-key'
const PIXEL_ID = '1234567890'
/** Longer than the tag's batching delay. */
const BATCH_WAIT_MS = 1_000
const DAY_SECONDS = 24 * 60 * 60
const VISITOR_COOKIE_DAYS = 30

const ga4BodySchema = z.object({
  client_id: z.string(),
  consent: z.object({ ad_user_data: z.string(), ad_personalization: z.string() }),
  events: z.array(z.object({ name: z.string(), params: z.record(z.string(), z.unknown()) })),
})

interface Ga4Seen {
  clientId: string
  adUserData: string
  name: string
  sessionId: unknown
  location: unknown
}

/**
 * A page location's path: GA4 gets the host of these loopback pages truncated (an IP address is
 * personal data wherever it appears), so visits are told apart by path.
 */
const pathOf = (location: unknown): string | undefined =>
  typeof location === 'string' ? new URL(location).pathname : undefined

/** A site's own consent banner: its buttons call the tag, as the README says to connect one. */
const banner = `<div id="banner">
<button id="accept-analytics" onclick="tagwarden.consent({analytics:true,marketing:false})">Statistics only</button>
<button id="accept-all" onclick="tagwarden.consent({analytics:true,marketing:true})">Accept all</button>
<button id="refuse" onclick="tagwarden.consent({analytics:false,marketing:false})">Refuse</button>
</div>`

/**
 * tag.js as a site uses it, through `npm start` with GA4 and Meta switched on: the README's snippet,
 * a consent banner (or Google's Consent Mode), the endpoint's own HttpOnly cookies, GA4 and Meta
 * stand-ins on loopback. Nothing leaves before a decision; after one, page views and events reach
 * GA4 in one session; GPC keeps Meta out; a refusal clears the cookies.
 */
describe('tag.js through npm start, in Chromium', () => {
  let vendors: CaptureServer
  let site: StaticServer
  let system: LocalProcess
  let browser: LoopbackBrowser
  /** The site's pages are on the endpoint's own site, as they must be for its cookies. */
  let siteUrl: string

  const ga4Seen = (): Ga4Seen[] =>
    vendors.requests
      .filter((request) => request.path.endsWith('/mp/collect'))
      .flatMap((request) => {
        const body = ga4BodySchema.parse(JSON.parse(request.body))
        return body.events.map((event) => ({
          clientId: body.client_id,
          adUserData: body.consent.ad_user_data,
          name: event.name,
          sessionId: event.params.session_id,
          location: event.params.page_location,
        }))
      })
  const metaRequests = () => vendors.requests.filter((request) => request.path.endsWith('/events'))
  const ga4Of = (clientId: string) => ga4Seen().filter((event) => event.clientId === clientId)
  /**
   * The GA4 client id of the visitor whose first page view was at `location`'s path, once GA4 has it. The
   * page's clock moves on meanwhile (the tag batches on a timer; these pages run a controlled clock).
   */
  const firstVisitAt = (tab: WatchedPage, location: string) =>
    eventually(async () => {
      await tab.stayFor(BATCH_WAIT_MS)
      return ga4Seen().find((event) => pathOf(event.location) === pathOf(location))?.clientId
    }, 20_000).catch(async (error: unknown) => {
      const outbox = await (await fetch(`${system.url}/__tagwarden/outbox`)).text()
      const sent = ga4Seen().map((event) => `${event.name} ${String(event.location)}`)
      throw new Error(
        `GA4 never saw ${location}; GA4 saw ${sent.join(', ')}; outbox ${outbox.slice(0, 2000)}`,
        {
          cause: error,
        },
      )
    })
  /** Lets `tab`'s timers run until `done` holds. */
  const until = (tab: WatchedPage, done: () => boolean | Promise<boolean>) =>
    eventually(async () => {
      await tab.stayFor(BATCH_WAIT_MS)
      return (await done()) ? true : undefined
    }, 20_000)

  /** A new visitor (fresh browser context) and every request its page sends to the endpoint. */
  async function visitor(options: { gpc?: boolean } = {}) {
    const tab = await browser.newPage()
    const toEndpoint: string[] = []
    tab.context.on('request', (request) => {
      if (request.url().startsWith(system.url)) toEndpoint.push(`${request.method()} ${request.url()}`)
    })
    if (options.gpc) {
      await tab.context.setExtraHTTPHeaders({ 'sec-gpc': '1' })
      await tab.context.addInitScript({
        content: "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })",
      })
    }
    const cookie = async (name: string) =>
      (await tab.context.cookies(system.url)).find((found) => found.name === name)
    return { tab, toEndpoint, cookie }
  }

  const open = async (tab: WatchedPage, path: string) => {
    await tab.page.goto(`${siteUrl}${path}`)
    expect(await tab.page.evaluate('typeof tagwarden.calendlyUrl')).toBe('function')
  }

  beforeAll(async () => {
    vendors = await startCaptureServer()
    site = await startStaticServer()
    siteUrl = site.sameSiteUrl
    system = await startLocalProcess({
      TAGWARDEN_CONFIG_JSON: JSON.stringify({
        sites: [
          {
            id: 'www',
            writeKeys: [WRITE_KEY],
            allowedOrigins: [siteUrl],
            cookies: { visitorDays: VISITOR_COOKIE_DAYS },
            consent: { browserIds: 'cookie-only' },
          },
        ],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-TAGE2E1' },
          meta: { enabled: true, pixelId: PIXEL_ID },
        },
      }),
      TAGWARDEN_VENDOR_BASE_URL: vendors.url,
      TAGWARDEN_META_CREDENTIALS: JSON.stringify({ accessToken: 'tag-e2e-meta-token' }),
    })
    const tag = readmeTagSnippet(system.url, WRITE_KEY)
    site.serve('/', html(`<!doctype html><title>Home</title>${tag}${banner}<p>home</p>`))
    site.serve('/pricing', html(`<!doctype html><title>Pricing</title>${tag}<p>pricing</p>`))
    site.serve('/cm', html(`<!doctype html><title>CM</title>${CONSENT_MODE_DEFAULT_DENIED}${tag}<p>cm</p>`))
    site.serve('/gpc', html(`<!doctype html><title>GPC</title>${tag}${banner}<p>gpc</p>`))
    // One page per visitor, so each visitor's first page view is told apart by its location.
    for (const path of ['/first', '/second', '/control', '/revoking']) {
      site.serve(path, html(`<!doctype html><title>Visit</title>${tag}${banner}<p>visit</p>`))
    }
    browser = await launchLoopbackBrowser()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await system?.stop()
    await site?.close()
    await vendors?.close()
  })

  it('sends nothing and sets no cookie before the banner is answered; after "statistics only" page views and a track call reach GA4 in one session', async () => {
    const { tab, toEndpoint, cookie } = await visitor()
    await open(tab, '/')
    await tab.page.evaluate(`tagwarden.track('Plan Viewed', { plan: 'pro' })`)
    await tab.stayFor(BATCH_WAIT_MS * 5)
    expect(toEndpoint).toEqual([`GET ${system.url}/tag.js`])
    expect(await tab.context.cookies()).toEqual([])

    await tab.page.click('#accept-analytics')
    const clientId = await firstVisitAt(tab, `${siteUrl}/`)
    const idCookie = await cookie('tw_id')
    const sessionCookie = await cookie('tw_s')
    expect(idCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
    const lifetime = (idCookie?.expires ?? 0) - Date.now() / 1000
    expect(lifetime).toBeGreaterThan(VISITOR_COOKIE_DAYS * DAY_SECONDS - 3600)
    expect(lifetime).toBeLessThanOrEqual(VISITOR_COOKIE_DAYS * DAY_SECONDS)
    // A session cookie: no expiry (Playwright reports -1), gone when the browser closes.
    expect(sessionCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', expires: -1 })

    // A single-page-app navigation, and a new page load that remembers the decision.
    await tab.page.evaluate(`history.pushState({}, '', '/pricing?plan=pro')`)
    await tab.stayFor(BATCH_WAIT_MS)
    await open(tab, '/pricing')
    await tab.stayFor(BATCH_WAIT_MS)
    await until(tab, () => ga4Of(clientId).length >= 4)
    const seen = ga4Of(clientId)
    expect(seen.map((event) => event.name).sort()).toEqual([
      'page_view',
      'page_view',
      'page_view',
      'plan_viewed',
    ])
    expect(new Set(seen.map((event) => event.sessionId)).size).toBe(1)
    expect(seen.every((event) => event.adUserData === 'DENIED')).toBe(true)
    expect(tab.corsErrors()).toEqual([])
    await tab.context.close()
  }, 60_000)

  it('two visitors never share a session', async () => {
    const first = await visitor()
    const second = await visitor()
    await open(first.tab, '/first')
    await open(second.tab, '/second')
    await first.tab.page.click('#accept-analytics')
    await second.tab.page.click('#accept-analytics')
    const firstClient = await firstVisitAt(first.tab, `${siteUrl}/first`)
    const secondClient = await firstVisitAt(second.tab, `${siteUrl}/second`)
    expect(firstClient).not.toBe(secondClient)
    expect(ga4Of(firstClient)[0]?.sessionId).not.toEqual(ga4Of(secondClient)[0]?.sessionId)
    await first.tab.context.close()
    await second.tab.context.close()
  }, 60_000)

  it('follows a Consent Mode update with no extra code, and a default alone sends nothing', async () => {
    const { tab, toEndpoint, cookie } = await visitor()
    await open(tab, '/cm')
    await tab.stayFor(BATCH_WAIT_MS * 3)
    expect(toEndpoint).toEqual([`GET ${system.url}/tag.js`])

    await tab.page.evaluate(
      `gtag('consent', 'update', { analytics_storage: 'granted', ad_user_data: 'denied', ad_personalization: 'denied' })`,
    )
    const clientId = await firstVisitAt(tab, `${siteUrl}/cm`)
    expect(ga4Of(clientId).map((event) => event.name)).toEqual(['page_view'])
    expect(await cookie('tw_id')).toMatchObject({ httpOnly: true })
    await tab.context.close()
  }, 60_000)

  it('keeps Meta out for a visitor whose browser sends Global Privacy Control, though they accepted all', async () => {
    const control = await visitor()
    await open(control.tab, '/control')
    await control.tab.page.click('#accept-all')
    await firstVisitAt(control.tab, `${siteUrl}/control`)
    // The control visitor's page view is what Meta gets when marketing is allowed.
    await until(control.tab, () => metaRequests().length > 0)
    const metaBefore = metaRequests().length

    const { tab } = await visitor({ gpc: true })
    await open(tab, '/gpc')
    await tab.page.click('#accept-all')
    const clientId = await firstVisitAt(tab, `${siteUrl}/gpc`)
    expect(ga4Of(clientId)[0]?.adUserData).toBe('DENIED')
    await tab.stayFor(BATCH_WAIT_MS)
    expect(metaRequests()).toHaveLength(metaBefore)
    await control.tab.context.close()
    await tab.context.close()
  }, 60_000)

  it('clears both cookies when the visitor refuses after accepting, and sends nothing more', async () => {
    const { tab, cookie } = await visitor()
    await open(tab, '/revoking')
    await tab.page.click('#accept-analytics')
    const clientId = await firstVisitAt(tab, `${siteUrl}/revoking`)
    expect(await cookie('tw_s')).toBeDefined()

    await tab.page.click('#refuse')
    await until(tab, async () => (await cookie('tw_id')) === undefined)
    expect(await cookie('tw_s')).toBeUndefined()
    await tab.page.evaluate(`tagwarden.track('After Refusal')`)
    await tab.stayFor(BATCH_WAIT_MS * 3)
    expect(ga4Of(clientId).map((event) => event.name)).toEqual(['page_view'])
    await tab.context.close()
  }, 60_000)
})
