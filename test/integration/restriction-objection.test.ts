import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoRightsStore } from '#shared/adapters/dynamodb-rights-store.ts'
import { dynamoTraitStore } from '#shared/adapters/dynamodb-trait-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { Visitor } from '#shared/rights/ports.ts'
import { visitorRightsState } from '#shared/rights/state.ts'
import { CONSENT_TABLE, type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { basicAuthorization } from '../support/api-event.ts'

const WRITE_KEY = 'rights-state-write-key'
const ORIGIN = 'https://www.example.com'
const PSEUDONYM_KEY = 'rights-state-pseudonym-key'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const RESTRICTED = 'restricted by the visitor (GDPR Art. 18)'

/**
 * Restriction (Art. 18) and objection (Art. 21) through the real collect and deliver handlers on
 * dynalite (the local system): GA4 on consent for analytics, Meta on legitimate interest for marketing.
 */
describe('restriction and objection, at collect and at send time', () => {
  let system: LocalSystem
  let client: ReturnType<typeof documentClient>
  let rights: ReturnType<typeof visitorRightsState>
  const visitor = (anonymousId: string): Visitor => ({ siteId: 'www', anonymousId })

  const send = (path: string, body: object, method = 'POST') =>
    fetch(`${system.url}${path}`, {
      method,
      headers: {
        authorization: basicAuthorization(WRITE_KEY),
        origin: ORIGIN,
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
      },
      body: JSON.stringify(body),
    })
  async function page(anonymousId: string, messageId: string) {
    const response = await send('/v1/page', {
      anonymousId,
      messageId,
      name: 'Home',
      context: { page: { url: `${ORIGIN}/home` } },
    })
    expect(response.status).toBe(200)
  }
  const decisionsOf = (messageId: string) =>
    Object.fromEntries(
      system.outbox.decisions
        .toArray()
        .filter((decision) => decision.messageId === messageId && decision.vendor !== null)
        .map((decision) => [decision.vendor, decision.reason]),
    )
  const deliveriesOf = (messageId: string) =>
    Object.fromEntries(
      system.outbox.deliveries
        .toArray()
        .filter((delivery) => delivery.messageId === messageId)
        .map((delivery) => [delivery.vendor, `${delivery.outcome}: ${delivery.reason}`]),
    )
  async function deliverQueued() {
    system.queues.start()
    await system.queues.drained(5_000)
    await system.queues.stop()
  }

  beforeAll(async () => {
    system = await startLocalSystem({
      config: parseConfig({
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-RIGHTS1' },
          meta: { enabled: true, pixelId: '1234567890', legalBasis: 'legitimate_interest' },
        },
      }),
      port: 0,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      print: () => {},
      settingsMaxAgeMs: 0,
    })
    await system.queues.stop()
    client = documentClient({
      endpoint: system.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    rights = visitorRightsState({
      pseudonymKey: PSEUDONYM_KEY,
      stores: {
        rights: dynamoRightsStore(client, CONSENT_TABLE),
        consent: dynamoConsentStore(client, CONSENT_TABLE),
        traits: dynamoTraitStore(client, CONSENT_TABLE),
      },
      now: () => new Date(),
      retentionDays: 395,
    })
  })
  afterAll(async () => {
    client?.destroy()
    await system?.close()
  })

  it('withholds a restricted visitor’s queued events from every vendor, refuses new ones, and lets new ones through once lifted', async () => {
    expect(
      (await send('/v1/consent', { anonymousId: 'r', purposes: { analytics: true, marketing: true } }, 'PUT'))
        .status,
    ).toBe(200)
    await page('r', 'r-queued')
    expect(decisionsOf('r-queued')).toEqual({
      ga4: 'stored consent for analytics (policy 2018-05)',
      meta: 'legitimate interest for marketing, no objection stored',
    })

    expect(await rights.restrict(visitor('r'), true)).toMatchObject({ restricted: true, objections: {} })
    await deliverQueued()
    expect(deliveriesOf('r-queued')).toEqual({
      ga4: `withheld: ${RESTRICTED}`,
      meta: `withheld: ${RESTRICTED}`,
    })

    await page('r', 'r-while-restricted')
    expect(decisionsOf('r-while-restricted')).toEqual({ ga4: RESTRICTED, meta: RESTRICTED })

    expect(await rights.restrict(visitor('r'), false)).toMatchObject({ restricted: false })
    await page('r', 'r-lifted')
    await deliverQueued()
    expect(deliveriesOf('r-while-restricted')).toEqual({})
    expect(Object.keys(deliveriesOf('r-lifted')).sort()).toEqual(['ga4', 'meta'])
    expect(Object.values(deliveriesOf('r-lifted'))).not.toContain(expect.stringMatching(/^withheld/))
  })

  it('stops the legitimate-interest vendor only for the purpose objected to, at collect and for queued events', async () => {
    expect(
      (await send('/v1/consent', { anonymousId: 'o', purposes: { analytics: true, marketing: true } }, 'PUT'))
        .status,
    ).toBe(200)
    await page('o', 'o-queued')
    expect(await rights.object(visitor('o'), { marketing: true })).toMatchObject({
      restricted: false,
      objections: { marketing: true },
    })
    await page('o', 'o-objected')
    await deliverQueued()

    const objected = 'visitor objected to marketing (GDPR Art. 21)'
    expect(deliveriesOf('o-queued').meta).toBe(`withheld: ${objected}`)
    expect(deliveriesOf('o-queued').ga4).not.toMatch(/^withheld/)
    expect(decisionsOf('o-objected')).toEqual({
      ga4: 'stored consent for analytics (policy 2018-05)',
      meta: objected,
    })

    expect(await rights.object(visitor('o'), { marketing: false })).toMatchObject({ objections: {} })
    await page('o', 'o-withdrawn')
    expect(decisionsOf('o-withdrawn').meta).toBe('legitimate interest for marketing, no objection stored')
  })
})
