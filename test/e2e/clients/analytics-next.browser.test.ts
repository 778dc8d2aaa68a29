import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { type LoopbackBrowser, launchLoopbackBrowser, type WatchedPage } from '../../support/browser.ts'
import { bundleForBrowser } from '../../support/browser-bundle.ts'
import {
  CLIENT_WRITE_KEY,
  type ClientHarness,
  occurrences,
  startClientHarness,
} from '../../support/client-harness.ts'
import { eventually } from '../../support/eventually.ts'
import { html, javascript } from '../../support/static-server.ts'

const DELIVERY_TIMEOUT_MS = 30_000
/** Longer than any timer the SDK sets for later traffic (analytics.js flushes its telemetry every 30 s). */
const VISIT_LENGTH_MS = 60_000

/**
 * The site's own code, as a developer would write it from the README: load analytics.js with tagwarden
 * as its CDN (one option: `cdnURL`), record the visitor's consent, then send a page view, two events,
 * and the calls tagwarden accepts but forwards to no vendor (group, alias, screen).
 */
function sitePage(apiUrl: string): string {
  const settings = JSON.stringify({ writeKey: CLIENT_WRITE_KEY, cdnURL: apiUrl })
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Pricing</title></head><body>
<script src="/analytics-next.js"></script>
<script>
window.siteRun = (async () => {
  const settings = ${settings}
  const [analytics] = await AnalyticsNext.AnalyticsBrowser.load(settings)
  const anonymousId = analytics.user().anonymousId()
  const consent = await fetch(settings.cdnURL + '/v1/consent', {
    method: 'PUT',
    headers: { authorization: 'Basic ' + btoa(settings.writeKey + ':'), 'content-type': 'application/json' },
    body: JSON.stringify({ anonymousId, purposes: { analytics: true } }),
  })
  if (consent.status !== 200) throw new Error('consent answered ' + consent.status)
  const sent = await Promise.all([
    analytics.page('Pricing', { title: 'Pricing' }),
    analytics.track('Plan Chosen', { plan: 'pro' }),
    analytics.track('Checkout Started', { step: 1 }),
    analytics.group('acme', { plan: 'enterprise' }),
    analytics.alias('user-42'),
    analytics.screen('Checkout'),
  ])
  return sent.map((ctx) => ({ type: ctx.event.type, messageId: ctx.event.messageId }))
})()
</script></body></html>`
}

/** What the page reports it sent: each call's type and the messageId the SDK gave it. */
const sentCallsSchema = z.array(z.object({ type: z.string(), messageId: z.string().min(1) }))

/** The calls GA4 takes; the others are accepted and skipped. */
const forwardable = (events: ReadonlyArray<{ type: string; messageId: string }>) =>
  events.filter((event) => event.type === 'page' || event.type === 'track')

describe('analytics.js (@segment/analytics-next) in Chromium, against tagwarden only', () => {
  let harness: ClientHarness
  let browser: LoopbackBrowser
  let tab: WatchedPage
  let sent: Array<{ type: string; messageId: string }>

  beforeAll(async () => {
    harness = await startClientHarness({
      shouldFail: ({ method, path }) => method === 'POST' && path.startsWith('/v1/'),
    })
    harness.site.serve(
      '/analytics-next.js',
      javascript(
        await bundleForBrowser("export { AnalyticsBrowser } from '@segment/analytics-next'", 'AnalyticsNext'),
      ),
    )
    harness.site.serve('/', html(sitePage(harness.api.url)))
    browser = await launchLoopbackBrowser()
    tab = await browser.newPage()
    await tab.page.goto(`${harness.site.url}/`)
    sent = sentCallsSchema.parse(await tab.page.evaluate('window.siteRun'))
    await eventually(() => {
      const delivered = harness.deliveredMessageIds()
      return forwardable(sent).every(({ messageId }) => delivered.includes(messageId)) ? true : undefined
    }, DELIVERY_TIMEOUT_MS).catch((error: unknown) => {
      throw new Error(
        `not every event reached GA4; browser errors:\n${tab.errors.join('\n')}\n${harness.log()}`,
        {
          cause: error,
        },
      )
    })
    // The proxy records a request when tagwarden's answer has ended, which can come after the
    // local queues already delivered its events: wait for the retry's record too.
    await eventually(
      () =>
        harness.api.requests.some(
          (request) =>
            request.method === 'POST' &&
            request.status === 200 &&
            request.headers['x-retry-count'] !== undefined,
        )
          ? true
          : undefined,
      DELIVERY_TIMEOUT_MS,
    )
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    await harness?.close()
  })

  it('loads its settings from tagwarden', () => {
    const settings = harness.api.requests.filter((request) => request.url.includes('/settings'))
    expect(settings.map((request) => `${request.method} ${request.url} ${request.status}`)).toEqual([
      `GET /v1/projects/${CLIENT_WRITE_KEY}/settings 200`,
    ])
  })

  it('retries the request that got a 503, with X-Retry-Count, and tagwarden accepts the retry', () => {
    const injected = harness.api.requests.filter((request) => request.injected)
    const retried = harness.api.requests.filter(
      (request) => request.method === 'POST' && request.headers['x-retry-count'] !== undefined,
    )
    expect(injected).toHaveLength(1)
    expect(retried.length).toBeGreaterThan(0)
    expect(retried.map((request) => request.status)).toEqual(retried.map(() => 200))
  })

  it('delivers the page view and both events to GA4 exactly once each, in valid requests', () => {
    expect(sent.map((event) => event.type)).toEqual(['page', 'track', 'track', 'group', 'alias', 'screen'])
    const delivered = occurrences(harness.deliveredMessageIds())
    expect(
      Object.fromEntries(forwardable(sent).map(({ messageId }) => [messageId, delivered[messageId]])),
    ).toEqual(Object.fromEntries(forwardable(sent).map(({ messageId }) => [messageId, 1])))
    expect(occurrences(harness.ga4Events().map((event) => event.name))).toEqual({
      page_view: 1,
      plan_chosen: 1,
      checkout_started: 1,
    })
    expect(harness.ga4EventsNamed('plan_chosen')[0]?.params.plan).toBe('pro')
    expect(harness.ga4Problems()).toEqual([])
  })

  it('accepts group, alias and screen at /v1/g, /v1/a and /v1/s, and forwards none of them', () => {
    const answers = harness.api.requests
      .filter((request) => request.method === 'POST' && ['/v1/g', '/v1/a', '/v1/s'].includes(request.url))
      .map((request) => `${request.url} ${request.status}`)
    expect(answers.sort()).toEqual(['/v1/a 200', '/v1/g 200', '/v1/s 200'])
    const delivered = harness.deliveredMessageIds()
    for (const { type, messageId } of sent.filter((event) => !forwardable([event]).length)) {
      const decisions = harness.system.outbox.decisions
        .toArray()
        .filter((decision) => decision.messageId === messageId)
      expect(decisions.map((decision) => decision.reason)).toEqual([`${type} calls are not forwarded`])
      expect(delivered).not.toContain(messageId)
    }
  })

  it('loads nothing from a third party, even a minute later, and meets no CORS refusal', async () => {
    await tab.stayFor(VISIT_LENGTH_MS)
    expect(tab.offLoopbackRequests).toEqual([])
    expect(tab.corsErrors()).toEqual([])
  })
})
