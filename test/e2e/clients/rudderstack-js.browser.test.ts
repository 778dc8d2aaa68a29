import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { type LoopbackBrowser, launchLoopbackBrowser, type WatchedPage } from '../../support/browser.ts'
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
const BEACON_FLUSH_INTERVAL_MS = 200

/** The "bundled" build carries its plugins inside, so nothing is fetched from RudderStack's CDN at run time. */
function rudderStackBundle(): string {
  const commonJsEntry = createRequire(import.meta.url).resolve('@rudderstack/analytics-js/bundled')
  return readFileSync(join(dirname(commonJsEntry), '../umd/index.js'), 'utf8')
}

type Transport = 'xhr' | 'beacon'

/** What the page reports it sent: each call's type and the messageId the SDK gave it. */
const sentCallsSchema = z.array(z.object({ type: z.string(), messageId: z.string().min(1) }))

/** The calls GA4 takes; the others are accepted and skipped. */
const forwardable = (events: ReadonlyArray<{ type: string; messageId: string }>) =>
  events.filter((event) => event.type === 'page' || event.type === 'track')

/**
 * The site's own code, as the README sets it up: the bundled build, tagwarden as data plane and as
 * `configUrl` (RudderStack's control plane is never asked). Once the SDK is ready it records the
 * visitor's consent, then sends a page view, two events, and a group and an alias call (accepted,
 * forwarded to no vendor).
 */
function sitePage(apiUrl: string, transport: Transport): string {
  const beacon = { useBeacon: true, beaconQueueOptions: { flushQueueInterval: BEACON_FLUSH_INTERVAL_MS } }
  const loadOptions = JSON.stringify({
    configUrl: `${apiUrl}/sourceConfig`,
    ...(transport === 'beacon' ? beacon : {}),
  })
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Pricing</title></head><body>
<script src="/rudderstack.js"></script>
<script>
window.siteRun = new Promise((resolve, reject) => {
  const writeKey = ${JSON.stringify(CLIENT_WRITE_KEY)}
  const apiUrl = ${JSON.stringify(apiUrl)}
  const analytics = new window.rudderanalytics.RudderAnalytics()
  analytics.load(writeKey, apiUrl, ${loadOptions})
  analytics.ready(async () => {
    try {
      const consent = await fetch(apiUrl + '/v1/consent', {
        method: 'PUT',
        headers: { authorization: 'Basic ' + btoa(writeKey + ':'), 'content-type': 'application/json' },
        body: JSON.stringify({ anonymousId: analytics.getAnonymousId(), purposes: { analytics: true } }),
      })
      if (consent.status !== 200) throw new Error('consent answered ' + consent.status)
      const sent = (call) => new Promise((done) => call((event) => done(event)))
      const events = await Promise.all([
        sent((cb) => analytics.page('Pricing', { title: 'Pricing' }, cb)),
        sent((cb) => analytics.track('Plan Chosen', { plan: 'pro' }, cb)),
        sent((cb) => analytics.track('Checkout Started', { step: 1 }, cb)),
        sent((cb) => analytics.group('acme', { plan: 'enterprise' }, cb)),
        sent((cb) => analytics.alias('user-42', cb)),
      ])
      resolve(events.map((event) => ({ type: event.type, messageId: event.messageId })))
    } catch (error) {
      reject(error)
    }
  })
})
</script></body></html>`
}

function describeTransport(transport: Transport, title: string, checkRetry: boolean) {
  describe(title, () => {
    let harness: ClientHarness
    let browser: LoopbackBrowser
    let tab: WatchedPage
    let sent: Array<{ type: string; messageId: string }>

    beforeAll(async () => {
      harness = await startClientHarness({
        shouldFail: ({ method, path }) => checkRetry && method === 'POST' && path.startsWith('/v1/'),
      })
      harness.site.serve('/rudderstack.js', javascript(rudderStackBundle()))
      harness.site.serve('/', html(sitePage(harness.api.url, transport)))
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
          { cause: error },
        )
      })
      // The proxy records a request when tagwarden's answer has ended, which can come after the
      // local queues already delivered its events: wait for the carrying request's record too.
      await eventually(
        () =>
          harness.api.requests.some(
            (request) =>
              request.method === 'POST' &&
              request.status === 200 &&
              (checkRetry
                ? request.headers['rsa-retry-attempt'] !== undefined
                : request.url.startsWith('/beacon/v1/batch?')),
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

    it('loads its source config from tagwarden', () => {
      const configs = harness.api.requests.filter(
        (request) => request.method === 'GET' && request.url.startsWith('/sourceConfig'),
      )
      expect(configs.map((request) => request.status)).toEqual([200])
      expect(new URL(configs[0]?.url ?? '', harness.api.url).searchParams.get('writeKey')).toBe(
        CLIENT_WRITE_KEY,
      )
    })

    if (checkRetry) {
      it('retries the request that got a 503, with its Rsa-Retry-Attempt headers, and tagwarden accepts the retry', () => {
        const injected = harness.api.requests.filter((request) => request.injected)
        const retried = harness.api.requests.filter(
          (request) => request.method === 'POST' && request.headers['rsa-retry-attempt'] !== undefined,
        )
        expect(injected).toHaveLength(1)
        expect(retried.length).toBeGreaterThan(0)
        expect(retried.map((request) => request.status)).toEqual(retried.map(() => 200))
        expect(retried[0]?.headers.anonymousid).toBeDefined()
      })
    } else {
      it('posts its batch by sendBeacon to /beacon/v1/batch with the write key in the query', () => {
        const beacons = harness.api.requests.filter((request) => request.url.startsWith('/beacon/v1/batch?'))
        expect(beacons.length).toBeGreaterThan(0)
        expect(
          beacons.map((request) => new URL(request.url, harness.api.url).searchParams.get('writeKey')),
        ).toEqual(beacons.map(() => CLIENT_WRITE_KEY))
        expect(beacons.map((request) => request.status)).toEqual(beacons.map(() => 200))
      })
    }

    it('delivers the page view and both events to GA4 exactly once each, in valid requests', () => {
      expect(sent.map((event) => event.type)).toEqual(['page', 'track', 'track', 'group', 'alias'])
      const delivered = occurrences(harness.deliveredMessageIds())
      expect(Object.fromEntries(sent.map(({ messageId }) => [messageId, delivered[messageId] ?? 0]))).toEqual(
        Object.fromEntries(sent.map((event) => [event.messageId, forwardable([event]).length])),
      )
      expect(occurrences(harness.ga4Events().map((event) => event.name))).toEqual({
        page_view: 1,
        plan_chosen: 1,
        checkout_started: 1,
      })
      expect(harness.ga4EventsNamed('plan_chosen')[0]?.params.plan).toBe('pro')
      expect(harness.ga4Problems()).toEqual([])
    })

    it('accepts the group and alias calls and forwards neither, saying why', () => {
      for (const { type, messageId } of sent.filter((event) => forwardable([event]).length === 0)) {
        const decisions = harness.system.outbox.decisions
          .toArray()
          .filter((decision) => decision.messageId === messageId)
        expect(decisions.map((decision) => decision.reason)).toEqual([`${type} calls are not forwarded`])
      }
    })

    it('loads nothing from a third party, even a minute later, and meets no CORS refusal', async () => {
      await tab.stayFor(VISIT_LENGTH_MS)
      expect(tab.offLoopbackRequests).toEqual([])
      expect(tab.corsErrors()).toEqual([])
    })
  })
}

describeTransport('xhr', 'RudderStack JS SDK v3 (bundled, offline) in Chromium, XHR transport', true)
describeTransport('beacon', 'RudderStack JS SDK v3 (bundled, offline) in Chromium, beacon transport', false)
