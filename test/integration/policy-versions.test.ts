import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoPolicyVersions } from '#shared/adapters/dynamodb-policy-versions.ts'
import { dynamoVendorSettings, seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { parseConfig } from '#shared/config/load.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { POLICY_VERSIONS_MAX_AGE_MS } from '#shared/policy/cache.ts'
import { OBJECTION_WINDOW_MS } from '#shared/policy/notice-window.ts'
import { coverageReader } from '#shared/policy/reader.ts'
import { POLICY_VERSIONS_PARTITION } from '#shared/policy/versions.ts'
import { VENDORS, type VendorId } from '#shared/vendors/index.ts'
import { createCollectHandler } from '../../functions/collect/handler.ts'
import { createConsentHandler } from '../../functions/consent/handler.ts'
import { createDeliverHandler } from '../../functions/deliver/handler.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { Outbox } from '../../local/outbox.ts'
import { LocalQueues, queueSettingsFor } from '../../local/queues.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../support/api-event.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { putPolicyVersion } from '../support/policy-versions.ts'
import { visitorJar } from '../support/visitor-cookie.ts'

const CONSENT_TABLE = 'policy-consent'
const CONFIG_TABLE = 'policy-config'
const PSEUDONYM_KEY = 'policy-versions-test-pseudonym-key'
const WRITE_KEY = 'policy-write-key-1'
const ORIGIN = 'https://www.shop.example'
const PIXEL_ID = '1234567890123'
const META_EVENTS_PATH = `/v25.0/${PIXEL_ID}/events`
const GA4_PATH = '/mp/collect'
const REQUEST_TIMEOUT_MS = 1_500
const SECRETS: Record<VendorId, string> = {
  ga4: JSON.stringify({ apiSecret: 'policy-test-api-secret' }),
  meta: JSON.stringify({ accessToken: 'policy-test-access-token' }),
  linkedin: JSON.stringify({ accessToken: 'policy-test-linkedin-token' }),
  hubspot: JSON.stringify({ accessToken: 'policy-test-hubspot-token' }),
}
const DAY_MS = 24 * 60 * 60 * 1000
/** When v2 is published and takes effect. */
const V2_AT = Date.parse('2026-12-01T09:00:00.000Z')

const config = parseConfig({
  sites: [{ id: 'shop', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-POLICY1' }, meta: { enabled: true, pixelId: PIXEL_ID } },
})

const v1 = {
  version: '2026-06',
  effectiveAt: new Date(V2_AT - 90 * DAY_MS).toISOString(),
  publishedAt: new Date(V2_AT - 91 * DAY_MS).toISOString(),
  covers: { ga4: ['analytics' as const] },
}
const v2 = {
  version: '2026-12',
  effectiveAt: new Date(V2_AT).toISOString(),
  publishedAt: new Date(V2_AT).toISOString(),
  covers: { ga4: ['analytics' as const], meta: ['marketing' as const] },
  summary: 'Adds Meta for marketing',
}

/**
 * One timeline through the real consent, collect and deliver handlers on dynalite and a fake clock:
 * consents under v1 (GA4 analytics), v2 adds Meta, its 4-week objection window, its edge, and a
 * fresh consent under v2.
 */
describe('privacy-policy versions', () => {
  let at = V2_AT - 10 * DAY_MS
  const clock = { now: () => at, date: () => new Date(at) }
  const decisions: DecisionRecord[] = []
  const outcomes: Array<OutcomeReport & { vendor: VendorId }> = []
  const errors: unknown[] = []
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  let vendorStandIn: CaptureServer
  let queues: LocalQueues
  let collect: ReturnType<typeof createCollectHandler>
  let consentApi: ReturnType<typeof createConsentHandler>

  const decisionOf = (messageId: string, vendor: VendorId) =>
    decisions.find((decision) => decision.messageId === messageId && decision.vendor === vendor)
  const outcomesOf = (messageId: string, vendor: VendorId) =>
    outcomes
      .filter((report) => report.messageId === messageId && report.vendor === vendor)
      .map(({ outcome, reason }) => ({ outcome, reason }))

  const headers = { authorization: basicAuthorization(WRITE_KEY), origin: ORIGIN }
  /** Each visitor's browser sends back the visitor token its first decision set. */
  const jar = visitorJar()
  async function callConsent(anonymousId: string, method: string, path: string, body?: unknown) {
    const cookies = jar.cookiesFor(anonymousId)
    const response = await consentApi(
      apiEvent({
        method,
        path,
        headers,
        ...(cookies ? { cookies } : {}),
        ...(body === undefined ? {} : { body }),
      }),
      lambdaContext('tagwarden-consent'),
    )
    jar.keep(anonymousId, response.headers?.['set-cookie'])
    return { status: response.statusCode, body: JSON.parse(String(response.body)) }
  }
  const giveConsent = (anonymousId: string) =>
    callConsent(anonymousId, 'PUT', '/v1/consent', {
      anonymousId,
      purposes: { analytics: true, marketing: true },
    })
  const readConsent = (anonymousId: string) => callConsent(anonymousId, 'GET', `/v1/consent/${anonymousId}`)
  const object = (anonymousId: string, policyVersion: string) =>
    callConsent(anonymousId, 'POST', `/v1/consent/${anonymousId}/objection`, { policyVersion })

  async function collectPageView(anonymousId: string, messageId: string) {
    const response = await collect(
      apiEvent({
        method: 'POST',
        path: '/v1/page',
        headers,
        body: { anonymousId, messageId, name: 'Blue kettle', context: { page: { url: `${ORIGIN}/kettle` } } },
      }),
      lambdaContext('tagwarden-collect'),
    )
    expect(response.statusCode).toBe(200)
  }

  async function deliverQueued() {
    queues.start()
    await queues.drained(5_000)
    await queues.stop()
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
    await putPolicyVersion(client, CONFIG_TABLE, v1)
    const vendorSettings = dynamoVendorSettings(client, CONFIG_TABLE, { now: clock.now })
    // Each function has its own cache, as each Lambda does.
    const versions = () =>
      dynamoPolicyVersions(client, CONFIG_TABLE, { now: clock.now, onError: (e) => errors.push(e) })
    const consent = dynamoConsentStore(client, CONSENT_TABLE)
    consentApi = createConsentHandler({
      config,
      store: consent,
      pseudonymKey: PSEUDONYM_KEY,
      policyVersion: config.policyVersion,
      policyVersions: versions(),
      retentionDays: config.retention.consentDays,
      now: clock.date,
      newReceiptId: () => crypto.randomUUID(),
    })
    queues = new LocalQueues(
      new Outbox(),
      () => {},
      () => ({
        ...queueSettingsFor(REQUEST_TIMEOUT_MS),
        redeliverySecondMs: 1,
      }),
    )
    collect = createCollectHandler({
      config,
      vendorSettings,
      consent,
      policyCoverage: coverageReader(versions(), config.policyVersion),
      dispatch: queues,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      now: clock.date,
      onDecision: (decision) => decisions.push(decision),
      reportError: (error) => errors.push(error),
    })
    const deliverCoverage = coverageReader(versions(), config.policyVersion)
    for (const vendor of VENDORS) {
      queues.consume(
        vendor.id,
        createDeliverHandler({
          binding: vendorBinding({
            vendor,
            settings: vendorSettings,
            credentials: async () => SECRETS[vendor.id],
            baseUrl: vendorStandIn.url,
            production: true,
            now: clock.date,
          }),
          consent,
          policyCoverage: deliverCoverage,
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

  it('records consent under the version in force (v1) and reports no notice', async () => {
    const given = await giveConsent('visitor-a')
    expect(given).toMatchObject({ status: 200, body: { policyVersion: v1.version } })
    expect((await giveConsent('visitor-b')).body.policyVersion).toBe(v1.version)
    expect((await giveConsent('visitor-c')).body.policyVersion).toBe(v1.version)
    expect((await readConsent('visitor-a')).body).toMatchObject({ needsRenewal: false, noticeRequired: null })
  })

  it('opens v2’s notice window once it takes effect and its item is past the cache window', async () => {
    at = V2_AT
    await putPolicyVersion(client, CONFIG_TABLE, v2)
    at = V2_AT + POLICY_VERSIONS_MAX_AGE_MS

    const state = await readConsent('visitor-a')

    expect(state.body).toMatchObject({
      policyVersion: v1.version,
      needsRenewal: true,
      noticeRequired: { version: v2.version, deadline: new Date(V2_AT + 28 * DAY_MS).toISOString() },
    })
  })

  it('keeps GA4 under the v1 consent and denies Meta, which v2 added, at collect; GA4 is delivered', async () => {
    await collectPageView('visitor-a', 'a-window-1')
    await collectPageView('visitor-c', 'c-window-1')
    expect(decisionOf('a-window-1', 'ga4')).toMatchObject({ allow: true })
    expect(decisionOf('a-window-1', 'meta')).toEqual({
      messageId: 'a-window-1',
      vendor: 'meta',
      allow: false,
      reason: `consent under policy ${v1.version} does not cover meta for marketing (added by ${v2.version})`,
    })

    await deliverQueued()
    expect(outcomesOf('a-window-1', 'ga4')).toEqual([{ outcome: 'delivered', reason: 'ga4 answered 204' }])
  })

  it('revokes on an objection within the window, marked with the version objected to; a queued event is withheld', async () => {
    const ga4Requests = () => vendorStandIn.requests.filter((request) => request.path === GA4_PATH).length
    const ga4RequestsBefore = ga4Requests()
    await collectPageView('visitor-b', 'b-queued-1')
    expect(decisionOf('b-queued-1', 'ga4')).toMatchObject({ allow: true })

    const objected = await object('visitor-b', v2.version)

    expect(objected).toMatchObject({
      status: 200,
      body: {
        purposes: { analytics: false, marketing: false },
        policyVersion: v2.version,
        objectedTo: v2.version,
      },
    })
    const state = await readConsent('visitor-b')
    expect(state.body.noticeRequired).toBeNull()
    expect(state.body.history.at(-1)).toMatchObject({ objectedTo: v2.version })
    expect(state.body.history.at(0)).not.toHaveProperty('objectedTo')
    await deliverQueued()
    expect(outcomesOf('b-queued-1', 'ga4')).toEqual([
      { outcome: 'withheld', reason: 'stored consent refuses analytics' },
    ])
    expect(ga4Requests()).toBe(ga4RequestsBefore)
  })

  it('refuses an objection to a version that is not the one in force, naming the field', async () => {
    expect(await object('visitor-c', v1.version)).toEqual({
      status: 400,
      body: { error: `is not the policy version in force (${v2.version})`, field: 'policyVersion' },
    })
  })

  it('still reports the notice 1 ms before the deadline, and not at it; an objection then is refused with 409', async () => {
    at = V2_AT + OBJECTION_WINDOW_MS - 1
    expect((await readConsent('visitor-c')).body.noticeRequired).toEqual({
      version: v2.version,
      deadline: new Date(V2_AT + OBJECTION_WINDOW_MS).toISOString(),
    })

    at = V2_AT + OBJECTION_WINDOW_MS
    const state = await readConsent('visitor-c')
    const objected = await object('visitor-c', v2.version)

    expect(state.body).toMatchObject({ needsRenewal: true, noticeRequired: null })
    expect(objected.status).toBe(409)
    expect(objected.body.error).toContain(`objection window for policy ${v2.version} closed`)
    expect(objected.body.error).toContain('DELETE /v1/consent/{anonymousId} revokes consent at any time')
    expect((await readConsent('visitor-c')).body.purposes).toEqual({ analytics: true, marketing: true })
  })

  it('after the window, silence counts for GA4 only: Meta still needs a fresh consent', async () => {
    await collectPageView('visitor-c', 'c-after-1')
    expect(decisionOf('c-after-1', 'ga4')).toMatchObject({ allow: true })
    expect(decisionOf('c-after-1', 'meta')).toMatchObject({
      allow: false,
      reason: `consent under policy ${v1.version} does not cover meta for marketing (added by ${v2.version})`,
    })
  })

  it('a fresh consent, recorded under v2, lets Meta receive the visitor’s events', async () => {
    const fresh = await giveConsent('visitor-c')
    expect(fresh.body.policyVersion).toBe(v2.version)
    expect((await readConsent('visitor-c')).body).toMatchObject({ needsRenewal: false, noticeRequired: null })

    await collectPageView('visitor-c', 'c-fresh-1')
    await deliverQueued()

    expect(decisionOf('c-fresh-1', 'meta')).toMatchObject({
      allow: true,
      reason: `stored consent for marketing (policy ${v2.version})`,
    })
    expect(outcomesOf('c-fresh-1', 'meta')).toEqual([{ outcome: 'delivered', reason: 'meta answered 200' }])
    expect(errors).toEqual([])
  })
})

describe('reading published versions from the config table', () => {
  const TABLE = 'policy-config-read'
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    client = documentClient(dynamo.clientConfig)
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  it('skips and reports a malformed item, keeping the others, and leaves other partitions alone', async () => {
    await putPolicyVersion(client, TABLE, v1)
    await client.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: POLICY_VERSIONS_PARTITION, sk: 'broken', version: 'broken', effectiveAt: 'next tuesday' },
      }),
    )
    await seedVendorSettings(client, TABLE, config.vendors)
    const errors: unknown[] = []

    const published = await dynamoPolicyVersions(client, TABLE, {
      now: () => V2_AT,
      onError: (error) => errors.push(error),
    }).published()

    expect(published).toEqual([v1])
    expect(errors).toEqual([expect.objectContaining({ name: 'PolicyVersionItemError' })])
    expect(String(errors[0])).toContain('broken')
  })
})
