import { describe, expect, it } from 'vitest'
import { inMemoryConsentStore } from '#shared/adapters/in-memory-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { collectEvents, type DecisionRecord } from '#shared/ingest/collect.ts'
import type { RightsState } from '#shared/rights/api.ts'
import type { RightsStore } from '#shared/rights/store.ts'

const WRITE_KEY = 'collect-rights-key'
const ORIGIN = 'https://www.example.com'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const config = parseConfig({
  sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [ORIGIN] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-RIGHTS2', legalBasis: 'legitimate_interest' } },
})

/** A rights store without the combined batch read: collect reads consent and rights side by side. */
function rightsOf(state: RightsState): Pick<RightsStore, 'readMany'> & { reads: number } {
  const store = {
    reads: 0,
    async readMany(keys: ReadonlyArray<string>) {
      store.reads++
      return new Map(keys.map((key) => [key, state]))
    },
  }
  return store
}

const page = (messageId: string): IncomingEvent => ({
  type: 'page',
  messageId,
  anonymousId: 'visitor-1',
  properties: {},
  traits: {},
  context: { userAgent: BROWSER_UA, page: { url: `${ORIGIN}/` } },
})

async function collect(events: IncomingEvent[], rights: Pick<RightsStore, 'readMany'>) {
  const decisions: DecisionRecord[] = []
  const queued: string[] = []
  const store: RightsStore = {
    ...rights,
    read: async () => null,
    update: async () => {
      throw new Error('collect never writes rights')
    },
    forget: async () => {},
  }
  await collectEvents(
    WRITE_KEY,
    events,
    { headers: { origin: ORIGIN, userAgent: BROWSER_UA }, network: {} },
    {
      config,
      consent: inMemoryConsentStore(),
      rights: store,
      dispatch: {
        enqueue: async (_vendor, messages) => {
          queued.push(...messages.map((message) => message.messageId))
        },
      },
      pseudonymKey: 'collect-rights-pseudonym',
      trustProxy: false,
      now: () => new Date(),
      onDecision: (decision) => decisions.push(decision),
    },
  )
  return { decisions, queued }
}

describe('collect with the visitor’s rights (separate reads)', () => {
  it('queues nothing for a restricted visitor, reading the rights once for the whole batch', async () => {
    const rights = rightsOf({ restricted: true, objections: {} })
    const { decisions, queued } = await collect([page('m-1'), page('m-2')], rights)
    expect(queued).toEqual([])
    expect(decisions.map((decision) => decision.reason)).toEqual([
      'restricted by the visitor (GDPR Art. 18)',
      'restricted by the visitor (GDPR Art. 18)',
    ])
    expect(rights.reads).toBe(1)
  })

  it('queues for a legitimate-interest vendor when only another purpose is objected to', async () => {
    const { queued } = await collect(
      [page('m-3')],
      rightsOf({ restricted: false, objections: { marketing: true } }),
    )
    expect(queued).toEqual(['m-3'])
  })
})
