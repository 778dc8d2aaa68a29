import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTag } from '../../../tag/build.ts'
import { type LoopbackBrowser, launchLoopbackBrowser, type WatchedPage } from '../../support/browser.ts'
import { html, type StaticServer, startStaticServer } from '../../support/static-server.ts'
import {
  batchOf,
  CONSENT_MODE_DEFAULT_DENIED,
  isBatch,
  isConsent,
  readmeTagSnippet,
  startTagEndpoint,
  type TagEndpoint,
  TEST_REF,
} from '../../support/tag-endpoint.ts'

const WRITE_KEY = 'tag-test-key'
/** Longer than the tag's batching delay: calls made before it have left by then. */
const BATCH_WAIT_MS = 1_000

describe('the first-party tag in Chromium', () => {
  let tag = ''
  let site: StaticServer
  let endpoint: TagEndpoint
  let browser: LoopbackBrowser

  beforeAll(async () => {
    tag = buildTag().code
    endpoint = await startTagEndpoint(() => tag)
    site = await startStaticServer()
    site.serve(
      '/',
      html(`<!doctype html><title>Home</title>${readmeTagSnippet(endpoint.url, WRITE_KEY)}<p>home</p>`),
    )
    site.serve('/next', html('<!doctype html><title>Next</title><p>next</p>'))
    site.serve(
      '/consent-mode',
      html(
        `<!doctype html><title>CM</title>${CONSENT_MODE_DEFAULT_DENIED}${readmeTagSnippet(endpoint.url, WRITE_KEY)}`,
      ),
    )
    browser = await launchLoopbackBrowser()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await endpoint?.close()
  })

  /** A fresh visitor on `path`, with the tag loaded and its request log cleared. */
  async function visit(path = '/', before?: (visitor: WatchedPage) => Promise<void>): Promise<WatchedPage> {
    const visitor = await browser.newPage()
    await before?.(visitor)
    endpoint.requests.length = 0
    await visitor.page.goto(`${site.url}${path}`)
    // The load event waits for async scripts: the tag has replaced the stub by now.
    expect(await visitor.page.evaluate(`typeof tagwarden.calendlyUrl`)).toBe('function')
    return visitor
  }

  const call = (visitor: WatchedPage, script: string) => visitor.page.evaluate(script)

  it('sends nothing and stores nothing before the visitor decides', async () => {
    const visitor = await visit()
    await call(visitor, `tagwarden.track('Clicked', { button: 'a' }); history.pushState({}, '', '/spa')`)
    await visitor.stayFor(BATCH_WAIT_MS * 10)

    expect(endpoint.sent()).toEqual([])
    expect(await visitor.context.cookies()).toEqual([])
    expect(await call(visitor, 'localStorage.length + sessionStorage.length')).toBe(0)
    await visitor.context.close()
  })

  it('after an accept records the decision, then sends the held page view and track call in one batch', async () => {
    const visitor = await visit()
    await call(visitor, `tagwarden.track('Signed Up', { plan: 'pro' })`)
    await call(visitor, `tagwarden.consent({ analytics: true, marketing: false })`)

    const put = await endpoint.nextSent(isConsent)
    expect(JSON.parse(put.body)).toEqual({
      writeKey: WRITE_KEY,
      purposes: { analytics: true, marketing: false },
    })
    expect(put.headers['content-type']).toBe('application/json')
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await visitor.stayFor(BATCH_WAIT_MS)

    const sent = batchOf(await endpoint.nextSent(isBatch))
    expect(sent.writeKey).toBe(WRITE_KEY)
    expect(sent.context).toEqual({ consent: { analytics: true, marketing: false } })
    expect(sent.batch.map((event) => [event.type, event.event])).toEqual([
      ['page', undefined],
      ['track', 'Signed Up'],
    ])
    const [page, track] = sent.batch
    expect(page?.context.page).toEqual({ url: `${site.url}/`, path: '/', title: 'Home', referrer: '' })
    expect(track?.properties).toEqual({ plan: 'pro' })
    expect(sent.batch.every((event) => event.anonymousId === undefined)).toBe(true)
    expect(new Set(sent.batch.map((event) => event.messageId)).size).toBe(2)
    expect(
      await call(visitor, `tagwarden.calendlyUrl('https://calendly.com/acme/intro?hide_gdpr_banner=1')`),
    ).toBe(`https://calendly.com/acme/intro?hide_gdpr_banner=1&utm_content=${TEST_REF}`)
    await visitor.context.close()
  })

  it('sends a page view for a single-page-app navigation, and an identify call', async () => {
    const visitor = await visit()
    await call(visitor, `tagwarden.consent({ analytics: true, marketing: true })`)
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await visitor.stayFor(BATCH_WAIT_MS)
    await endpoint.nextSent(isBatch)
    endpoint.requests.length = 0

    await call(visitor, `document.title = 'Pricing'; history.pushState({}, '', '/pricing?plan=pro')`)
    await call(visitor, `tagwarden.identify({ plan: 'pro' })`)
    await visitor.stayFor(BATCH_WAIT_MS)

    const sent = batchOf(await endpoint.nextSent(isBatch))
    expect(sent.batch.map((event) => event.type)).toEqual(['page', 'identify'])
    expect(sent.batch[0]?.context.page).toEqual({
      url: `${site.url}/pricing?plan=pro`,
      path: '/pricing',
      title: 'Pricing',
      referrer: `${site.url}/`,
    })
    expect(sent.batch[1]?.traits).toEqual({ plan: 'pro' })
    await visitor.context.close()
  })

  it('flushes with a text/plain beacon when the page is left', async () => {
    const visitor = await visit()
    await call(visitor, `tagwarden.consent({ analytics: true, marketing: false })`)
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await call(visitor, `tagwarden.track('Left Soon')`)
    await visitor.page.goto(`${site.url}/next`)

    const beacon = await endpoint.nextSent(isBatch)
    expect(beacon.headers['content-type']).toBe('text/plain')
    expect(beacon.headers['sec-fetch-mode']).toBe('no-cors')
    expect(batchOf(beacon).batch.map((event) => event.event ?? event.type)).toEqual(['page', 'Left Soon'])
    await visitor.context.close()
  })

  it('remembers the decision on the next page: it records it again, then the page view leaves', async () => {
    const visitor = await visit()
    await call(visitor, `tagwarden.consent({ analytics: true, marketing: false })`)
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await visitor.stayFor(BATCH_WAIT_MS)
    await endpoint.nextSent(isBatch)
    endpoint.requests.length = 0
    await visitor.page.goto(`${site.url}/`)
    await visitor.stayFor(BATCH_WAIT_MS)

    const sent = batchOf(await endpoint.nextSent(isBatch))
    expect(sent.batch.map((event) => event.type)).toEqual(['page'])
    // Without the banner: the kept decision is sent again first, so the answer renews the cookies.
    const [again] = endpoint.sent().filter(isConsent)
    expect(JSON.parse(again?.body ?? '{}').purposes).toEqual({ analytics: true, marketing: false })
    expect(endpoint.sent().indexOf(again as never)).toBeLessThan(endpoint.sent().findIndex(isBatch))
    expect(await call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await visitor.context.close()
  })

  it('forgets a kept decision once its consent has expired: the banner must ask again', async () => {
    const visitor = await visit()
    await call(visitor, `tagwarden.consent({ analytics: true, marketing: false })`)
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await call(
      visitor,
      `localStorage.tw = JSON.stringify({ ...JSON.parse(localStorage.tw), e: '2020-01-01T00:00:00.000Z' })`,
    )
    await visitor.stayFor(BATCH_WAIT_MS)
    await endpoint.nextSent(isBatch)
    endpoint.requests.length = 0
    await visitor.page.goto(`${site.url}/`)
    await visitor.stayFor(BATCH_WAIT_MS * 3)

    expect(endpoint.sent()).toEqual([])
    await visitor.context.close()
  })

  it('drops the held events when the visitor refuses', async () => {
    const visitor = await visit()
    await call(visitor, `tagwarden.track('Before Refusal')`)
    await call(visitor, `tagwarden.consent({ analytics: false, marketing: false })`)
    const refusal = await endpoint.nextSent(isConsent)
    expect(JSON.parse(refusal.body).purposes).toEqual({ analytics: false, marketing: false })
    await visitor.stayFor(BATCH_WAIT_MS)

    // A later accept sends only what happened after it: the refused page view and call are gone.
    await call(visitor, `tagwarden.consent({ analytics: true, marketing: false })`)
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await call(visitor, `tagwarden.track('After Accept')`)
    await visitor.stayFor(BATCH_WAIT_MS)

    const sent = batchOf(await endpoint.nextSent(isBatch))
    expect(sent.batch.map((event) => event.event)).toEqual(['After Accept'])
    expect(endpoint.sent().filter(isBatch)).toHaveLength(1)
    await visitor.context.close()
  })

  it('never grants marketing when the browser sends Global Privacy Control', async () => {
    const visitor = await visit('/', (watched) =>
      watched.page
        .addInitScript(
          `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })`,
        )
        .then(() => undefined),
    )
    await call(visitor, `tagwarden.consent({ analytics: true, marketing: true })`)

    const put = await endpoint.nextSent(isConsent)
    expect(JSON.parse(put.body).purposes).toEqual({ analytics: true, marketing: false })
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await visitor.stayFor(BATCH_WAIT_MS)
    expect(batchOf(await endpoint.nextSent(isBatch)).context.consent.marketing).toBe(false)
    await visitor.context.close()
  })

  it("takes a Consent Mode 'update' as the decision, and a 'default' as none", async () => {
    const visitor = await visit('/consent-mode')
    await visitor.stayFor(BATCH_WAIT_MS)
    expect(endpoint.sent()).toEqual([])

    await call(
      visitor,
      `gtag('consent', 'update', { analytics_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted' })`,
    )
    const put = await endpoint.nextSent(isConsent)
    expect(JSON.parse(put.body).purposes).toEqual({ analytics: true, marketing: true })
    await expect.poll(() => call(visitor, 'tagwarden.ref')).toBe(TEST_REF)
    await visitor.stayFor(BATCH_WAIT_MS)
    expect(batchOf(await endpoint.nextSent(isBatch)).batch.map((event) => event.type)).toEqual(['page'])
    await visitor.context.close()
  })

  it("maps Consent Mode's ad signals to marketing only when both are granted", async () => {
    const visitor = await visit('/consent-mode')
    await call(
      visitor,
      `gtag('consent', 'update', { analytics_storage: 'granted', ad_user_data: 'granted' })`,
    )
    const put = await endpoint.nextSent(isConsent)
    expect(JSON.parse(put.body).purposes).toEqual({ analytics: true, marketing: false })
    await visitor.context.close()
  })
})
