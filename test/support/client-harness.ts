import * as z from 'zod'
import { parseConfig } from '#shared/config/load.ts'
import { type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { type CaptureServer, startCaptureServer } from './capture-server.ts'
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts'
import { validateGa4Request } from './ga4-validator.ts'
import { type StaticServer, startStaticServer } from './static-server.ts'

export const CLIENT_WRITE_KEY = 'real-client-write-key'

const ga4BodySchema = z.object({
  events: z.array(z.object({ name: z.string(), params: z.record(z.string(), z.unknown()) })),
})

export interface Ga4EventSeen {
  name: string
  params: Record<string, unknown>
}

export interface ClientHarness {
  ga4: CaptureServer
  system: LocalSystem
  /** The API as clients must use it: through a proxy that fails the first matching request. */
  api: FaultProxy
  /** The site that serves the test pages, on an origin the configuration allows. */
  site: StaticServer
  /** Every event in every request the GA4 stand-in received. */
  ga4Events(): Ga4EventSeen[]
  /** GA4 events by name, for counting. */
  ga4EventsNamed(name: string): Ga4EventSeen[]
  /** The messageIds of every request really sent to the GA4 stand-in and answered 2xx, one per event. */
  deliveredMessageIds(): string[]
  /** Problems the independent GA4 validator finds in the captured requests (none expected). */
  ga4Problems(): string[]
  /** Log lines of the local system, for failure messages. */
  log(): string
  close(): Promise<void>
}

/**
 * The local system in-process with a loopback GA4 stand-in it really sends to, a site origin it allows,
 * and a fault proxy in front of its API. `shouldFail` picks the request(s) answered 503 once.
 */
export async function startClientHarness(options: {
  shouldFail: (request: { method: string; path: string }) => boolean
}): Promise<ClientHarness> {
  const ga4 = await startCaptureServer()
  const site = await startStaticServer()
  const lines: string[] = []
  const system = await startLocalSystem({
    config: parseConfig({
      sites: [{ id: 'clients', writeKeys: [CLIENT_WRITE_KEY], allowedOrigins: [site.url] }],
      vendors: { ga4: { enabled: true, measurementId: 'G-CLIENTS1', endpoint: 'eu' } },
    }),
    port: 0,
    pseudonymKey: 'real-client-pseudonym-key',
    credentials: { ga4: JSON.stringify({ apiSecret: 'real-client-ga4-secret' }) },
    vendorBaseUrl: ga4.url,
    trustProxy: false,
    print: (line) => lines.push(line),
  })
  const api = await startFaultProxy({ target: system.url, shouldFail: options.shouldFail })

  const ga4Events = () =>
    ga4.requests.flatMap((request) => ga4BodySchema.parse(JSON.parse(request.body)).events)
  return {
    ga4,
    system,
    api,
    site,
    ga4Events,
    ga4EventsNamed: (name) => ga4Events().filter((event) => event.name === name),
    deliveredMessageIds: () =>
      system.outbox.requests
        .toArray()
        .filter((request) => request.sent && request.status !== undefined && request.status < 300)
        .flatMap((request) => request.events.map((event) => event.messageId)),
    ga4Problems: () =>
      ga4.requests.flatMap((request) => validateGa4Request(request, { allowHost: new URL(ga4.url).host })),
    log: () => lines.join('\n'),
    async close() {
      await api.close()
      await system.close()
      await site.close()
      await ga4.close()
    },
  }
}

/** How many times each value occurs, for "exactly once" assertions with readable failures. */
export function occurrences(values: ReadonlyArray<string>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1
  return counts
}
