import type { IncomingHttpHeaders } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import {
  dynamoVendorSettings,
  putVendorSettings,
  seedVendorSettings,
} from '#shared/adapters/dynamodb-vendor-settings.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { parseConfig } from '#shared/config/load.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { VENDORS, type VendorId } from '#shared/vendors/index.ts'
import { VENDOR_SETTINGS_MAX_AGE_MS } from '#shared/vendors/settings-store.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { createConsentHandler } from '../../functions/consent/handler.ts'
import { createDeliverHandler } from '../../functions/deliver/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { Outbox } from '../../local/outbox.ts'
import { LocalQueues, queueSettingsFor } from '../../local/queues.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'
import { type CapturedRequest, type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { validateGa4Request } from '../support/ga4-validator.ts'
import { metaRequestViolations } from '../support/meta-validator.ts'

const CONSENT_TABLE = 'switch-consent'
const CONFIG_TABLE = 'switch-config'
const PSEUDONYM_KEY = 'vendor-switch-test-pseudonym-key'
const WRITE_KEY = 'switch-write-key-1'
const ORIGIN = 'https://www.shop.example'
const PAGE_URL = 'https://www.shop.example/products/blue-kettle'
const VISITOR = 'visitor-3f2b9c1e'
const BROWSER_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'
const PIXEL_ID = '1234567890123'
const META_SECRET = JSON.stringify({ accessToken: 'switch-test-access-token' })
const GA4_SECRET = JSON.stringify({ apiSecret: 'switch-test-api-secret' })
const META_EVENTS_PATH = `/v25.0/${PIXEL_ID}/events`
const GA4_PATH = '/mp/collect'
/** Meta's request timeout (its minimum); the local queues take their timings from it. */
const REQUEST_TIMEOUT_MS = 1_500
/** A retried record comes back after a few ms here, so a wrongly retried message still settles in time. */
const REDELIVERY_SECOND_MS = 1
const START = new Date('2026-03-02T09:00:00.000Z')

const metaOn = { enabled: true, pixelId: PIXEL_ID }
const metaOff = { ...metaOn, enabled: false }
const config = parseConfig({
  sites: [{ id: 'shop', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-SWITCH1' }, meta: metaOn },
})

/** One clock for collect, consent, the deliverers and the settings cache; it moves only when told to. */
function testClock(startMs: number) {
  let at = startMs
  return {
    now: () => at,
    date: () => new Date(at),
    set: (ms: number) => {
      at = ms
    },
  }
}

/**
 * One timeline, in order: Meta on, Meta switched off in the config table (seen only once the cache window
 * has passed), Meta on again. Collect, consent and both deliverers run as the local system composes them:
 * dynalite tables, the in-process queues, real HTTP to a loopback stand-in for both vendors. "Within the
 * window" is 1 ms before VENDOR_SETTINGS_MAX_AGE_MS after the cache's last read; the change must show at
 * exactly that age, the most an admin's switch may take.
 */
describe('switching Meta in the config table', () => {
  const clock = testClock(START.getTime())
  const decisions: DecisionRecord[] = []
  const outcomes: Array<OutcomeReport & { vendor: VendorId }> = []
  const accepted: string[] = []
  const errors: unknown[] = []
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  let vendorStandIn: CaptureServer
  let queues: LocalQueues
  let collect: ReturnType<typeof createCollectHandler>
  /** When the settings cache last read the table: its window runs from there. */
  let settingsReadAt: number

  const requestsTo = (path: string) => vendorStandIn.requests.filter((request) => request.path === path)
  const decisionOf = (messageId: string, vendor: VendorId) =>
    decisions.find((decision) => decision.messageId === messageId && decision.vendor === vendor)
  const outcomesOf = (messageId: string, vendor: VendorId) =>
    outcomes
      .filter((report) => report.messageId === messageId && report.vendor === vendor)
      .map(({ outcome, reason }) => ({ outcome, reason }))

  /** Posts one page view of the visitor, as analytics.js sends it from the shop's product page. */
  async function collectPageView(messageId: string) {
    const response = await collect(
      apiEvent({
        method: 'POST',
        path: '/v1/page',
        headers: { authorization: basicAuthorization(WRITE_KEY), origin: ORIGIN, 'user-agent': BROWSER_UA },
        body: {
          anonymousId: VISITOR,
          messageId,
          name: 'Blue kettle',
          context: { page: { url: PAGE_URL, path: '/products/blue-kettle', referrer: ORIGIN } },
        },
      }),
      lambdaContext('tagwarden-collect'),
    )
    expect(response.statusCode).toBe(200)
    const body: { accepted: number } = JSON.parse(String(response.body))
    expect(body.accepted).toBe(1)
    accepted.push(messageId)
    return body
  }

  /** Lets the deliverers empty every queue, then holds them, so what is collected next stays queued. */
  async function deliverQueued() {
    queues.start()
    await queues.drained(5_000)
    await queues.stop()
  }

  function asMetaRequest(captured: CapturedRequest) {
    return {
      vendor: 'meta' as const,
      method: 'POST' as const,
      url: `${vendorStandIn.url}${captured.url}`,
      headers: flatHeaders(captured.headers),
      body: captured.body,
      messageIds: [],
    }
  }

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([CONSENT_TABLE, CONFIG_TABLE])
    client = documentClient(dynamo.clientConfig)
    vendorStandIn = await startCaptureServer({
      respond: (request) =>
        request.path === META_EVENTS_PATH
          ? { status: 200, body: '{"events_received":1,"fbtrace_id":"AbCdEf"}' }
          : { status: 204 },
    })
    await seedVendorSettings(client, CONFIG_TABLE, config.vendors, clock.date)
    const vendorSettings = dynamoVendorSettings(client, CONFIG_TABLE, { now: clock.now })
    const consent = dynamoConsentStore(client, CONSENT_TABLE)

    const consentApi = createConsentHandler({
      config,
      store: consent,
      pseudonymKey: PSEUDONYM_KEY,
      policyVersion: config.policyVersion,
      retentionDays: config.retention.consentDays,
      now: clock.date,
      newReceiptId: () => 'receipt-switch-1',
    })
    const consentGiven = await consentApi(
      apiEvent({
        method: 'PUT',
        path: '/v1/consent',
        headers: { authorization: basicAuthorization(WRITE_KEY), origin: ORIGIN },
        body: { anonymousId: VISITOR, purposes: { analytics: true, marketing: true } },
      }),
      lambdaContext('tagwarden-consent'),
    )
    expect(consentGiven.statusCode).toBe(200)

    const print = () => {}
    queues = new LocalQueues(new Outbox(), print, () => ({
      ...queueSettingsFor(REQUEST_TIMEOUT_MS),
      redeliverySecondMs: REDELIVERY_SECOND_MS,
    }))
    collect = createCollectHandler({
      config,
      vendorSettings,
      consent,
      dispatch: queues,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: clock.date,
      onDecision: (decision) => decisions.push(decision),
      reportError: (error) => errors.push(error),
    })
    const secrets: Record<VendorId, string> = {
      ga4: GA4_SECRET,
      meta: META_SECRET,
      linkedin: JSON.stringify({ accessToken: 'switch-test-linkedin-token' }),
      hubspot: JSON.stringify({ accessToken: 'switch-test-hubspot-token' }),
    }
    for (const vendor of VENDORS) {
      queues.consume(
        vendor.id,
        createDeliverHandler({
          binding: vendorBinding({
            vendor,
            settings: vendorSettings,
            credentials: async () => secrets[vendor.id],
            baseUrl: vendorStandIn.url,
            production: true,
            now: clock.date,
          }),
          consent,
          sender: fetchSender(),
          deadLetters: queues.deadLetters(vendor.id),
          redelivery: queues.redelivery(vendor.id),
          now: clock.date,
          onOutcome: (report) => outcomes.push({ ...report, vendor: vendor.id }),
        }),
      )
    }
  })

  afterAll(async () => {
    await queues?.close()
    await vendorStandIn?.close()
    client?.destroy()
    await dynamo?.close()
  })

  it('queues an event for Meta while Meta is on and delivers a request Meta would accept', async () => {
    settingsReadAt = clock.now()
    await collectPageView('on-1')
    expect(decisionOf('on-1', 'meta')).toMatchObject({ allow: true })

    await deliverQueued()

    expect(outcomesOf('on-1', 'meta')).toEqual([{ outcome: 'delivered', reason: 'meta answered 200' }])
    const [sent] = requestsTo(META_EVENTS_PATH)
    if (!sent) throw new Error('Meta received no request')
    expect(
      metaRequestViolations(asMetaRequest(sent), clock.date(), { allowOrigin: vendorStandIn.url }),
    ).toEqual([])
    expect(JSON.parse(sent.body).data).toEqual([
      expect.objectContaining({
        event_id: 'on-1',
        event_name: 'PageView',
        event_source_url: PAGE_URL,
        user_data: expect.objectContaining({ client_user_agent: BROWSER_UA }),
      }),
    ])
  })

  it('keeps queuing and delivering for Meta until the cache window ends after the switch', async () => {
    await putVendorSettings(client, CONFIG_TABLE, 'meta', metaOff, clock.date)
    clock.set(settingsReadAt + VENDOR_SETTINGS_MAX_AGE_MS - 1)

    await collectPageView('within-window-1')
    await deliverQueued()
    await collectPageView('within-window-2')

    expect(decisionOf('within-window-1', 'meta')).toMatchObject({ allow: true })
    expect(outcomesOf('within-window-1', 'meta')).toEqual([
      { outcome: 'delivered', reason: 'meta answered 200' },
    ])
    expect(decisionOf('within-window-2', 'meta')).toMatchObject({ allow: true })
    expect(queues.size('meta')).toBe(1)
  })

  it('withholds what was queued and queues nothing new for Meta once the window has passed, GA4 unaffected', async () => {
    const metaRequestsBefore = requestsTo(META_EVENTS_PATH).length
    clock.set(settingsReadAt + VENDOR_SETTINGS_MAX_AGE_MS)
    settingsReadAt = clock.now()

    await deliverQueued()
    await collectPageView('off-1')
    await deliverQueued()

    expect(outcomesOf('within-window-2', 'meta')).toEqual([
      { outcome: 'withheld', reason: 'meta is switched off by admin' },
    ])
    expect(decisionOf('off-1', 'meta')).toMatchObject({
      allow: false,
      reason: 'meta is switched off by admin',
    })
    expect(decisionOf('off-1', 'ga4')).toMatchObject({ allow: true })
    expect(outcomesOf('off-1', 'ga4')).toEqual([{ outcome: 'delivered', reason: 'ga4 answered 204' }])
    expect(requestsTo(META_EVENTS_PATH)).toHaveLength(metaRequestsBefore)
  })

  it('resumes Meta delivery once the window after switching it back on has passed, and not before', async () => {
    await putVendorSettings(client, CONFIG_TABLE, 'meta', metaOn, clock.date)
    clock.set(settingsReadAt + VENDOR_SETTINGS_MAX_AGE_MS - 1)
    await collectPageView('back-on-within-window')
    clock.set(settingsReadAt + VENDOR_SETTINGS_MAX_AGE_MS)

    await collectPageView('back-on-1')
    await deliverQueued()

    expect(decisionOf('back-on-within-window', 'meta')).toMatchObject({
      allow: false,
      reason: 'meta is switched off by admin',
    })
    expect(outcomesOf('back-on-1', 'meta')).toEqual([{ outcome: 'delivered', reason: 'meta answered 200' }])
    const sent = requestsTo(META_EVENTS_PATH).at(-1)
    if (!sent) throw new Error('Meta received no request')
    expect(
      metaRequestViolations(asMetaRequest(sent), clock.date(), { allowOrigin: vendorStandIn.url }),
    ).toEqual([])
    expect(JSON.parse(sent.body).data).toEqual([expect.objectContaining({ event_id: 'back-on-1' })])
  })

  it('accounts for every accepted event at every vendor: delivered, withheld or dead-lettered', () => {
    /** Each accepted event's fate at one vendor, by outcome and reason; an event with any other fate throws. */
    const ledger = (vendor: VendorId) => {
      const fates: Record<string, number> = {}
      for (const messageId of accepted) {
        const decision = decisionOf(messageId, vendor)
        const settled = outcomesOf(messageId, vendor)
        const fate =
          decision?.allow === false && settled.length === 0
            ? `refused at collect: ${decision.reason}`
            : decision?.allow === true && settled.length === 1 && settled[0]?.outcome !== 'retry'
              ? `${settled[0]?.outcome}: ${settled[0]?.reason}`
              : undefined
        if (fate === undefined)
          throw new Error(
            `${vendor} ${messageId} decided ${JSON.stringify(decision)}, then ${JSON.stringify(settled)}`,
          )
        fates[fate] = (fates[fate] ?? 0) + 1
      }
      return fates
    }

    expect(accepted).toHaveLength(6)
    expect(errors).toEqual([])
    expect(ledger('meta')).toEqual({
      'delivered: meta answered 200': 3,
      'withheld: meta is switched off by admin': 1,
      'refused at collect: meta is switched off by admin': 2,
    })
    expect(ledger('ga4')).toEqual({ 'delivered: ga4 answered 204': 6 })
    // Nothing parked by a deliverer, and nothing redriven after too many receives.
    expect(queues.deadLettered()).toEqual([])
    expect([queues.size('meta'), queues.size('ga4')]).toEqual([0, 0])
    expect(requestsTo(META_EVENTS_PATH)).toHaveLength(3)
    const ga4Requests = requestsTo(GA4_PATH)
    expect(ga4Requests.flatMap((request) => JSON.parse(request.body).events)).toHaveLength(6)
    for (const request of ga4Requests) {
      const asSent = {
        method: request.method,
        url: `${vendorStandIn.url}${request.url}`,
        headers: request.headers,
        body: request.body,
      }
      expect(validateGa4Request(asSent, clock.date(), { allowLoopbackHost: true })).toEqual([])
    }
  })
})

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  )
}
