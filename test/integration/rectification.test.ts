import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoRightsStore } from '#shared/adapters/dynamodb-rights-store.ts'
import { dynamoTraitStore } from '#shared/adapters/dynamodb-trait-store.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import type { TraitStore } from '#shared/identity/trait-store.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { InvalidTraitError, TraitsNotKeptError } from '#shared/rights/rectify.ts'
import { rightsState, visitorRightsState } from '#shared/rights/state.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'

const TABLE = 'rectification-consent'
const PSEUDONYM_KEY = 'rectification-pseudonym-key'
const NOW = new Date('2026-12-03T10:00:00.000Z')
const CONSENT_EXPIRES_AT = Math.floor(NOW.getTime() / 1000) + 30 * 24 * 60 * 60
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const KEPT_UNTIL = new Date(CONSENT_EXPIRES_AT * 1000)
const keyOf = (anonymousId: string) => consentKey(PSEUDONYM_KEY, 'www', anonymousId)

/** Art. 16 on dynalite: the kept hashed traits are replaced, hashed as identify's, only while they may be kept. */
describe('rectification of kept identity traits', () => {
  let dynamo: EmbeddedDynamo
  let client: ReturnType<typeof documentClient>
  let consent: ConsentStore
  let traits: TraitStore
  let rights: ReturnType<typeof visitorRightsState>
  const deps = () => ({
    pseudonymKey: PSEUDONYM_KEY,
    stores: { rights: dynamoRightsStore(client, TABLE), consent, traits },
    now: () => NOW,
    retentionDays: 30,
  })

  const consentTo = (anonymousId: string, marketing: boolean) =>
    consent.record({
      consentKey: keyOf(anonymousId),
      purposes: { analytics: true, marketing },
      policyVersion: '2018-05',
      receiptId: `receipt-${anonymousId}`,
      updatedAt: NOW.toISOString(),
      expiresAt: CONSENT_EXPIRES_AT,
    })
  const kept = async (anonymousId: string) =>
    (await traits.recallMany([keyOf(anonymousId)], NOW)).get(keyOf(anonymousId))

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo([TABLE])
    client = documentClient(dynamo.clientConfig)
    consent = dynamoConsentStore(client, TABLE)
    traits = dynamoTraitStore(client, TABLE, () => NOW)
    rights = visitorRightsState(deps())
  })
  afterAll(async () => {
    client?.destroy()
    await dynamo?.close()
  })

  it('replaces every kept trait with the new ones, normalised and hashed as identify’s', async () => {
    await consentTo('m', true)
    await traits.remember(
      keyOf('m'),
      { email: sha256('old@example.org'), firstName: sha256('ann') },
      KEPT_UNTIL,
    )
    expect(await kept('m')).toHaveProperty('firstName')

    await rights.rectify(
      { siteId: 'www', anonymousId: 'm' },
      { email: '  New@Example.ORG ', address: { city: 'Bad Homburg' } },
    )

    expect(await kept('m')).toEqual({ email: sha256('new@example.org'), city: sha256('badhomburg') })
  })

  it('removes them all for an empty object', async () => {
    await consentTo('e', true)
    await traits.remember(keyOf('e'), { email: sha256('e@example.org') }, KEPT_UNTIL)
    await rights.rectify({ siteId: 'www', anonymousId: 'e' }, {})
    expect(await kept('e')).toBeUndefined()
  })

  it('refuses when the stored consent does not allow marketing (no traits are kept then)', async () => {
    await consentTo('a', false)
    await expect(
      rights.rectify({ siteId: 'www', anonymousId: 'a' }, { email: 'a@example.org' }),
    ).rejects.toThrow(TraitsNotKeptError)
    await expect(
      rights.rectify({ siteId: 'www', anonymousId: 'unknown' }, { email: 'u@example.org' }),
    ).rejects.toThrow(TraitsNotKeptError)
    expect(await kept('a')).toBeUndefined()
  })

  it('names a trait that cannot be normalised, and replaces nothing', async () => {
    await consentTo('i', true)
    await traits.remember(keyOf('i'), { email: sha256('i@example.org') }, KEPT_UNTIL)
    const rectifying = rights.rectify({ siteId: 'www', anonymousId: 'i' }, { email: 'not an address' })
    await expect(rectifying).rejects.toThrow(InvalidTraitError)
    await expect(rectifying).rejects.toMatchObject({ field: 'traits.email' })
    expect(await kept('i')).toEqual({ email: sha256('i@example.org') })
  })

  it('reads the rights state for the export: nothing set, then what was set', async () => {
    const visitor = { siteId: 'www', anonymousId: 'x' }
    expect(await rightsState(deps(), visitor)).toEqual({ restricted: false, objections: {} })
    await rights.object(visitor, { analytics: true, marketing: false })
    await rights.restrict(visitor, true)
    expect(await rightsState(deps(), visitor)).toEqual({
      restricted: true,
      objections: { analytics: true },
      updatedAt: NOW.toISOString(),
    })
  })
})
