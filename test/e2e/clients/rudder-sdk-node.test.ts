import { gunzipSync } from 'node:zlib'
import Analytics from '@rudderstack/rudder-sdk-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { DESKTOP_CHROME_USER_AGENT } from '../../support/browser.ts'
import {
  CLIENT_WRITE_KEY,
  type ClientHarness,
  occurrences,
  startClientHarness,
} from '../../support/client-harness.ts'
import { eventually } from '../../support/eventually.ts'

const VISITOR = 'rudder-node-visitor-1'
const DELIVERY_TIMEOUT_MS = 20_000
/** A server forwards its visitor's browser user agent; the SDK's own is an HTTP library's (a bot). */
const context = { userAgent: DESKTOP_CHROME_USER_AGENT, page: { url: 'https://www.example.com/pricing' } }

const batchSchema = z.object({ batch: z.array(z.object({ type: z.string(), messageId: z.string() })) })

describe('@rudderstack/rudder-sdk-node with gzip on (its default), against tagwarden', () => {
  let harness: ClientHarness
  let flushError: unknown

  /** What the SDK put on the wire: the items of every batch request that tagwarden answered 200. */
  const itemsOf = (request: { body: Buffer } | undefined) =>
    request ? batchSchema.parse(JSON.parse(gunzipSync(request.body).toString('utf8'))).batch : []
  const acceptedItems = () =>
    harness.api.requests
      .filter((request) => request.method === 'POST' && request.status === 200)
      .flatMap(itemsOf)

  beforeAll(async () => {
    harness = await startClientHarness({ shouldFail: ({ method }) => method === 'POST' })
    const consent = await fetch(`${harness.api.url}/v1/consent`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_WRITE_KEY}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ anonymousId: VISITOR, purposes: { analytics: true } }),
    })
    expect(consent.status).toBe(200)

    const client = new Analytics(CLIENT_WRITE_KEY, {
      dataPlaneUrl: harness.api.url,
      flushAt: 20,
      flushInterval: 60_000,
      logLevel: 'off',
    })
    client.page({ anonymousId: VISITOR, name: 'Pricing', properties: { title: 'Pricing' }, context })
    client.track({ anonymousId: VISITOR, event: 'Plan Chosen', properties: { plan: 'pro' }, context })
    client.track({ anonymousId: VISITOR, event: 'Checkout Started', properties: { step: 1 }, context })
    client.screen({ anonymousId: VISITOR, name: 'Checkout', context })
    client.alias({ anonymousId: VISITOR, userId: 'user-42', previousId: VISITOR, context })
    await client.flush().catch((error: unknown) => {
      flushError = error
    })

    await eventually(() => {
      const forwardable = acceptedItems().filter((item) => item.type === 'page' || item.type === 'track')
      const delivered = harness.deliveredMessageIds()
      return forwardable.length === 3 && forwardable.every((item) => delivered.includes(item.messageId))
        ? true
        : undefined
    }, DELIVERY_TIMEOUT_MS).catch((error: unknown) => {
      throw new Error(`not every event reached GA4:\n${harness.log()}`, { cause: error })
    })
  }, 60_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('posts gzipped batches to /v1/batch with Basic auth, and retries the one that got a 503', () => {
    expect(flushError).toBeUndefined()
    const posts = harness.api.requests.filter((request) => request.method === 'POST')
    expect(posts.map((request) => request.url)).toEqual(posts.map(() => '/v1/batch'))
    expect(posts.map((request) => request.headers['content-encoding'])).toEqual(posts.map(() => 'gzip'))
    expect(posts[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CLIENT_WRITE_KEY}:`).toString('base64')}`,
    )
    const [failed, retry] = posts
    expect(failed?.injected).toBe(true)
    expect(retry?.status).toBe(200)
    const messageIds = (request: typeof retry) => itemsOf(request).map((item) => item.messageId)
    expect(messageIds(retry)).toEqual(messageIds(failed))
    expect(messageIds(retry).length).toBeGreaterThan(0)
  })

  it('delivers the page view and both events to GA4 exactly once each, and skips screen and alias', () => {
    const items = acceptedItems()
    expect(occurrences(items.map((item) => item.type))).toEqual({ page: 1, track: 2, screen: 1, alias: 1 })
    const delivered = occurrences(harness.deliveredMessageIds())
    for (const item of items) {
      expect(delivered[item.messageId] ?? 0, item.type).toBe(
        item.type === 'page' || item.type === 'track' ? 1 : 0,
      )
    }
    expect(occurrences(harness.ga4Events().map((event) => event.name))).toEqual({
      page_view: 1,
      plan_chosen: 1,
      checkout_started: 1,
    })
    expect(harness.ga4Problems()).toEqual([])
    const skipped = harness.system.outbox.decisions.toArray().filter((decision) => decision.vendor === null)
    expect(skipped.map((decision) => decision.reason).sort()).toEqual([
      'alias calls are not forwarded',
      'screen calls are not forwarded',
    ])
  })
})
