import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type DeliverDeps, deliverRecords, type OutcomeReport } from '#shared/delivery/deliver.ts'
import type { HttpSender, VendorRequest } from '#shared/delivery/http.ts'
import type { ErasureMessage } from '#shared/delivery/message.ts'
import { sealBinding, sealEmail } from '#shared/privacy/sealed-email.ts'
import type { ErasureStore, VendorErasureState } from '#shared/rights/erasure-store.ts'
import { bindVendor, switchedOffAdapter, type VendorAdapter } from '#shared/vendors/adapter.ts'
import { ga4Vendor } from '#shared/vendors/ga4/index.ts'
import type { Ga4Settings } from '#shared/vendors/ga4/settings.ts'
import { hubspotVendor } from '#shared/vendors/hubspot/index.ts'
import { metaVendor } from '#shared/vendors/meta/index.ts'
import { GA4_CONFIG, NOW } from '../vendors/fixtures.ts'
import { consentRecord, GA4_POLICY, inMemoryConsent, parkedList, queuedMessage } from './fixtures.ts'

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const SERVICE_ACCOUNT = {
  client_email: 'eraser@example.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  token_uri: 'https://oauth2.googleapis.com/token',
}

/** Tombstones and per-vendor states in memory: the port's behaviour without DynamoDB. */
function erasureStore(erased: ReadonlyArray<string> | Error = []) {
  const settled: Array<{ erasureId: string; vendor: string; state: VendorErasureState; detail?: string }> = []
  const store: Pick<ErasureStore, 'isErased' | 'settle'> = {
    async isErased(consentKey) {
      if (erased instanceof Error) throw erased
      return erased.includes(consentKey)
    },
    async settle(erasureId, vendor, state, detail) {
      settled.push({ erasureId, vendor, state, ...(detail === undefined ? {} : { detail }) })
    },
  }
  return { store, settled }
}

/** Answers by path; keeps what it was sent. */
function sender(answers: Record<string, { status: number; body?: string }>) {
  const sent: VendorRequest[] = []
  const http: HttpSender & { sent: VendorRequest[] } = {
    sent,
    async send(request) {
      sent.push(request)
      const answer = answers[new URL(request.url).pathname] ?? { status: 204 }
      return { status: answer.status, headers: {}, body: answer.body ?? '' }
    },
  }
  return http
}

const erasure = (overrides: Partial<ErasureMessage> = {}): ErasureMessage => ({
  kind: 'erase',
  vendor: 'ga4',
  messageId: 'erase-1',
  erasureId: 'erasure-1',
  siteId: 'shop',
  consentKey: 'consent-key-a',
  subject: { pseudonym: '1234567890.1234567890' },
  enqueuedAt: NOW.toISOString(),
  ...overrides,
})
const record = (recordId: string, message: object, receiveCount = 1) => ({
  recordId,
  body: JSON.stringify(message),
  receiveCount,
})

const ga4WithAccount = (settings: Ga4Settings = { ...GA4_CONFIG, propertyId: '123456' }) =>
  bindVendor<Ga4Settings, unknown, unknown>(
    ga4Vendor,
    settings,
    { apiSecret: 'secret', serviceAccount: SERVICE_ACCOUNT },
    { now: () => NOW },
  )

function setup(adapter: VendorAdapter<unknown>, overrides: Partial<DeliverDeps<unknown>> = {}) {
  const outcomes: OutcomeReport[] = []
  const deadLetters = parkedList()
  const deps: DeliverDeps<unknown> = {
    binding: () => ({ adapter, policy: { ...GA4_POLICY, id: adapter.id } }),
    consent: inMemoryConsent({ 'consent-key-a': consentRecord('consent-key-a', true) }),
    sender: sender({}),
    deadLetters,
    now: () => NOW,
    onOutcome: (report) => outcomes.push(report),
    ...overrides,
  }
  return { deps, outcomes, deadLetters }
}

describe('an erased visitor’s queued events', () => {
  it('are withheld even for a vendor on legitimate interest, which needs no stored consent', async () => {
    const { store } = erasureStore(['consent-key-erased'])
    const { deps, outcomes } = setup(ga4WithAccount(), {
      binding: () => ({
        adapter: ga4WithAccount(),
        policy: { ...GA4_POLICY, legalBasis: 'legitimate_interest' },
      }),
      erasures: { store },
    })
    const http = sender({})
    deps.sender = http

    await deliverRecords(
      [
        record('r1', queuedMessage({ messageId: 'erased', consentKey: 'consent-key-erased' })),
        record('r2', queuedMessage({ messageId: 'kept', consentKey: 'consent-key-other' })),
      ],
      deps,
    )

    expect(outcomes.map(({ messageId, outcome, reason }) => [messageId, outcome, reason])).toEqual([
      ['erased', 'withheld', 'the visitor erased their data'],
      ['kept', 'delivered', 'ga4 answered 204'],
    ])
    expect(http.sent.map((request) => request.messageIds)).toEqual([['kept']])
  })

  it('are retried when the tombstone cannot be read', async () => {
    const { store } = erasureStore(new Error('DynamoDB throttled'))
    const { deps } = setup(ga4WithAccount(), { erasures: { store } })

    const result = await deliverRecords([record('r1', queuedMessage())], deps)

    expect(result.failedRecordIds).toEqual(['r1'])
  })
})

describe('an erase request on a vendor queue', () => {
  it('is sent by GA4 after a token request, and its part recorded done', async () => {
    const { store, settled } = erasureStore()
    const http = sender({ '/token': { status: 200, body: '{"access_token":"tok"}' } })
    const { deps, outcomes } = setup(ga4WithAccount(), { erasures: { store }, sender: http })

    const result = await deliverRecords([record('r1', erasure())], deps)

    expect(result.failedRecordIds).toEqual([])
    expect(http.sent.map((request) => new URL(request.url).href)).toEqual([
      'https://oauth2.googleapis.com/token',
      'https://analyticsadmin.googleapis.com/v1alpha/properties/123456:submitUserDeletion',
    ])
    expect(settled).toEqual([
      { erasureId: 'erasure-1', vendor: 'ga4', state: 'done', detail: 'ga4 answered 204' },
    ])
    expect(outcomes[0]?.outcome).toBe('delivered')
  })

  it('is not withheld by a tombstone, stored consent or the switch: Meta records no deletion API', async () => {
    const { store, settled } = erasureStore(['consent-key-a'])
    const off = switchedOffAdapter('meta', metaVendor.purposes)
    const { deps, outcomes } = setup(off, { erasures: { store } })

    await deliverRecords([record('r1', erasure({ vendor: 'meta', subject: {} }))], deps)

    expect(settled[0]?.state).toBe('no-deletion-api')
    expect(settled[0]?.detail).toContain('https://www.facebook.com/adpreferences/')
    expect(outcomes[0]?.outcome).toBe('delivered')
  })

  it('is dead-lettered with the reason, its status failed, when GA4 lacks the property id', async () => {
    const { store, settled } = erasureStore()
    const { deps, deadLetters } = setup(ga4WithAccount(GA4_CONFIG), { erasures: { store } })

    await deliverRecords([record('r1', erasure())], deps)

    expect(deadLetters.parked.map((entry) => entry.reason)).toEqual([
      'GA4 erasure needs the propertyId setting',
    ])
    expect(settled[0]?.state).toBe('failed')
  })

  it('is retried (pending, with why) when the token endpoint answers 503, failed on the last receive', async () => {
    const { store, settled } = erasureStore()
    const http = sender({ '/token': { status: 503 } })
    const { deps, deadLetters } = setup(ga4WithAccount(), {
      erasures: { store, maxReceiveCount: 3 },
      sender: http,
    })

    const early = await deliverRecords([record('r1', erasure(), 1)], deps)
    const last = await deliverRecords([record('r2', erasure(), 3)], deps)

    expect(early.failedRecordIds).toEqual(['r1'])
    expect(last.failedRecordIds).toEqual([])
    expect(settled.map((entry) => entry.state)).toEqual(['pending', 'failed'])
    expect(deadLetters.parked[0]?.reason).toBe('token endpoint answered 503 (last of 3 tries)')
  })

  const KEY = 'pseudonym-key-for-tests'
  const sealedFor = (erasureId: string, email = 'a@example.org') =>
    sealEmail(KEY, email, sealBinding(erasureId, 'hubspot'))
  const hubspotAdapter = () => {
    const settings = hubspotVendor.settingsSchema.parse({ enabled: true, portalId: '1' })
    return bindVendor(hubspotVendor, settings, { accessToken: 'pat' }, { now: () => NOW })
  }

  it('leaves the admin’s sealed e-mail out of the dead-letter queue', async () => {
    const { store } = erasureStore()
    const http = sender({ '/crm/v3/objects/contacts/gdpr-delete': { status: 400, body: '{}' } })
    const erasures = { store, pseudonymKey: async () => KEY }
    const { deps, deadLetters } = setup(hubspotAdapter(), { erasures, sender: http })
    const sealed = sealedFor('erasure-1')

    await deliverRecords(
      [record('r1', erasure({ vendor: 'hubspot', subject: { sealedEmail: sealed } }))],
      deps,
    )

    expect(deadLetters.parked).toHaveLength(1)
    const parked = JSON.stringify(deadLetters.parked[0]?.message)
    expect(parked).not.toContain('a@example.org')
    expect(parked).not.toContain(sealed)
  })

  it('opens the sealed e-mail only to send it to HubSpot', async () => {
    const { store, settled } = erasureStore()
    const http = sender({})
    const erasures = { store, pseudonymKey: async () => KEY }
    const { deps } = setup(hubspotAdapter(), { erasures, sender: http })

    await deliverRecords(
      [record('r1', erasure({ vendor: 'hubspot', subject: { sealedEmail: sealedFor('erasure-1') } }))],
      deps,
    )

    expect(http.sent.map((request) => request.body)).toEqual([
      JSON.stringify({ objectId: 'a@example.org', idProperty: 'email' }),
    ])
    expect(settled.map((entry) => entry.state)).toEqual(['done'])
  })

  it('fails, sending nothing, an e-mail sealed for another erasure or without the key', async () => {
    for (const pseudonymKey of [async () => KEY, async () => undefined]) {
      const { store, settled } = erasureStore()
      const http = sender({})
      const { deps, deadLetters } = setup(hubspotAdapter(), {
        erasures: { store, pseudonymKey },
        sender: http,
      })
      const subject = { sealedEmail: sealedFor('another-erasure') }

      await deliverRecords([record('r1', erasure({ vendor: 'hubspot', subject }))], deps)

      expect(http.sent).toEqual([])
      expect(settled.map((entry) => entry.state)).toEqual(['failed'])
      expect(deadLetters.parked).toHaveLength(1)
    }
  })

  it('is parked when the deliverer is not wired for erasures', async () => {
    const { deps, deadLetters } = setup(ga4WithAccount())

    await deliverRecords([record('r1', erasure())], deps)

    expect(deadLetters.parked[0]?.reason).toBe('the ga4 deliverer is not wired for erasure requests')
  })
})
