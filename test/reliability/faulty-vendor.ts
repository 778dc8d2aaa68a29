import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { validateGa4Request } from '../support/ga4-validator.ts'

/** What the stand-in does with one request: answer it, or hold it open without a word. */
export type VendorAction = { answer: number; headers?: Record<string, string> } | 'hang'

/** One request as the stand-in saw it: the fault sequence numbers it carried and what it did. */
export interface VendorExchange {
  seqs: number[]
  action: VendorAction
  /** What test/support/ga4-validator.ts finds wrong with the request (vendors.md §1.12). */
  problems: string[]
}

export interface FaultyVendor {
  url: string
  exchanges: VendorExchange[]
  /** Requests held open and never answered so far. */
  hanging(): number
  close(): Promise<void>
}

/** The event parameter that carries each test event's sequence number through GA4's mapping. */
export const SEQ_PARAM = 'fault_seq'

/**
 * A GA4 Measurement Protocol stand-in on loopback whose answers `act` decides per request (by its
 * arrival index): a status with headers, or a request held open until the server closes. Every
 * request's events are read back to their sequence numbers, so deliveries are counted per event.
 */
export async function startFaultyVendor(act: (index: number) => VendorAction): Promise<FaultyVendor> {
  const exchanges: VendorExchange[] = []
  const held = new Set<ServerResponse>()
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(Buffer.from(chunk))
    const action = act(exchanges.length)
    const body = Buffer.concat(chunks).toString('utf8')
    const problems = validateGa4Request(
      { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body },
      { allowLoopbackHost: true },
    )
    exchanges.push({ seqs: seqsOf(body), action, problems })
    if (action === 'hang') {
      held.add(response)
      response.on('close', () => held.delete(response))
      return
    }
    response.writeHead(action.answer, { 'content-type': 'text/plain', ...action.headers }).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    hanging: () => held.size,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      await closed
    },
  }
}

const ga4BodySchema = z.object({
  events: z.array(z.object({ params: z.object({ [SEQ_PARAM]: z.number() }) })),
})

function seqsOf(body: string): number[] {
  return ga4BodySchema.parse(JSON.parse(body)).events.map((event) => event.params[SEQ_PARAM])
}
