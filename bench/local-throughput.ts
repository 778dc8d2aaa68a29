import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEV_WRITE_KEY, developmentConfig } from '../local/dev-config.ts'
import { startLocalSystem } from '../local/system.ts'

/**
 * How fast `npm start` accepts and delivers (dry run, on-disk data directory): clients post batches
 * concurrently for a consenting visitor; prints events/s accepted by the collector and delivered by the
 * local queues. Run: `npx tsx bench/local-throughput.ts [events]`.
 */
const EVENTS = Number(process.argv[2] ?? 10_000)
const EVENTS_PER_REQUEST = 20
const CONCURRENT_CLIENTS = 8
const AUTHORIZATION = `Basic ${Buffer.from(`${DEV_WRITE_KEY}:`).toString('base64')}`
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const VISITOR = 'bench-visitor'

export async function runLocalThroughputBench(events = EVENTS): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tagwarden-bench-'))
  const system = await startLocalSystem({
    config: developmentConfig(),
    port: 0,
    pseudonymKey: 'bench-pseudonym-key',
    credentials: { ga4: JSON.stringify({ apiSecret: 'bench-secret' }) },
    trustProxy: false,
    print: () => {},
    dataDir,
  })
  try {
    await fetch(`${system.url}/v1/consent`, {
      method: 'PUT',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: VISITOR, purposes: { analytics: true } }),
    })
    const rate = (count: number, ms: number) => Math.round((count / ms) * 1000)
    const send = async (round: string) => {
      const requests = Math.ceil(events / EVENTS_PER_REQUEST)
      let next = 0
      let accepted = 0
      const client = async () => {
        while (next < requests) {
          const request = next++
          const response = await fetch(`${system.url}/v1/batch`, {
            method: 'POST',
            headers: {
              authorization: AUTHORIZATION,
              'content-type': 'application/json',
              'user-agent': BROWSER_UA,
            },
            body: JSON.stringify({
              batch: Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => ({
                type: 'track',
                event: 'Bench Event',
                anonymousId: VISITOR,
                messageId: `bench-${round}-${request}-${i}`,
              })),
            }),
          })
          await response.arrayBuffer()
          if (response.status === 200) accepted += EVENTS_PER_REQUEST
        }
      }
      await Promise.all(Array.from({ length: CONCURRENT_CLIENTS }, client))
      return accepted
    }

    let started = performance.now()
    const accepted = await send('live')
    const acceptedAt = performance.now()
    await system.queues.drained(300_000)
    const deliveredAt = performance.now()
    console.log('local throughput (dry run, data directory on disk)')
    console.log(`  collector accepted ${accepted} events: ${rate(accepted, acceptedAt - started)} events/s`)
    console.log(
      `  delivered while accepting, last one ${Math.round(deliveredAt - acceptedAt)} ms after the last acceptance`,
    )

    await system.queues.stop()
    const backlog = await send('backlog')
    started = performance.now()
    system.queues.start()
    await system.queues.drained(300_000)
    console.log(
      `  a backlog of ${backlog} events delivered: ${rate(backlog, performance.now() - started)} events/s`,
    )
    console.log(
      `  delivered in all ${system.outbox.deliveries.total}, dead-lettered ${system.queues.deadLettered().length}`,
    )
  } finally {
    await system.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runLocalThroughputBench()
