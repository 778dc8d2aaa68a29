import { rmSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type CapturedRequest, type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { type LocalProcess, startLocalProcess, temporaryDataDir } from '../support/local-process.ts'
import { visitorCookieOf } from '../support/visitor-cookie.ts'

const WRITE_KEY = 'local-dev-key'
const AUTHORIZATION = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
const VISITOR = 'visitor-durable-1'
const EVENTS = 500
const EVENTS_PER_REQUEST = 20
/** The GA4 stand-in answers each request this late, so a kill lands mid-delivery. */
const VENDOR_LATENCY_MS = 250
/** What the local event source may have in flight at once: 2 batches of 25 (the deployed defaults). */
const MOST_IN_FLIGHT = 2 * 25

/**
 * The probe id each event carries as a property, as GA4 receives it. It rides in `transaction_id`, one of
 * the standard properties the development config lets through to GA4.
 */
function probeIds(request: CapturedRequest): string[] {
  const body: unknown = JSON.parse(request.body)
  if (typeof body !== 'object' || body === null || !('events' in body) || !Array.isArray(body.events))
    return []
  return body.events.flatMap((event: unknown) => {
    const probe =
      typeof event === 'object' && event !== null && 'params' in event && typeof event.params === 'object'
        ? (event.params as Record<string, unknown> | null)?.transaction_id
        : undefined
    return typeof probe === 'string' ? [probe] : []
  })
}

function counts(ids: ReadonlyArray<string>): Map<string, number> {
  const seen = new Map<string, number>()
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1)
  return seen
}

describe('local durability: accepted events and consent survive a crash and a restart', () => {
  let ga4: CaptureServer
  let dataDir: string
  let system: LocalProcess | undefined
  /** The visitor token the consent set: reading the decision back after the restart needs it. */
  let visitorCookie = ''

  const start = async () => {
    system = await startLocalProcess({
      TAGWARDEN_DATA_DIR: dataDir,
      TAGWARDEN_VENDOR_BASE_URL: ga4.url,
      GA4_API_SECRET: 'durability-secret',
    })
    return system
  }

  /**
   * Sends the events in batches, one request after the other, and returns the probe ids of those the
   * collector accepted (200), as they are accepted, to `accepted`; stops at the first request that
   * gets no answer (the process is gone).
   */
  const sendEvents = async (target: LocalProcess, accepted: string[] = []): Promise<string[]> => {
    for (let first = 0; first < EVENTS; first += EVENTS_PER_REQUEST) {
      const probes = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => `p${first + i}`)
      const response = await fetch(`${target.url}/v1/batch`, {
        method: 'POST',
        headers: {
          authorization: AUTHORIZATION,
          'content-type': 'application/json',
          'user-agent': BROWSER_UA,
        },
        body: JSON.stringify({
          batch: probes.map((probe) => ({
            type: 'track',
            event: 'Durability Probe',
            anonymousId: VISITOR,
            messageId: `msg-${probe}`,
            properties: { transaction_id: probe },
          })),
        }),
      }).catch(() => undefined)
      if (!response) break
      if (response.status === 200) accepted.push(...probes)
    }
    return accepted
  }

  beforeEach(async () => {
    dataDir = temporaryDataDir()
    ga4 = await startCaptureServer({
      respond: async () => {
        await new Promise((resolve) => setTimeout(resolve, VENDOR_LATENCY_MS))
        return { status: 204 }
      },
    })
    const first = await start()
    const consent = await fetch(`${first.url}/v1/consent`, {
      method: 'PUT',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: VISITOR, purposes: { analytics: true } }),
    })
    expect(consent.status).toBe(200)
    visitorCookie = visitorCookieOf(consent.headers.get('set-cookie')) ?? ''
  }, 60_000)

  afterEach(async () => {
    await system?.stop()
    await ga4?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('delivers every accepted event after a SIGKILL mid-delivery and a restart on the same data directory', async () => {
    const crashed = system
    if (!crashed) throw new Error('not started')
    // Kill while events are still being sent and the first ones are being delivered.
    const accepted: string[] = []
    const sending = sendEvents(crashed, accepted)
    await eventually(() => (accepted.length >= EVENTS / 2 ? true : undefined), 30_000)
    await crashed.kill()
    await sending
    const beforeKill = ga4.requests.flatMap(probeIds)

    const restarted = await start()
    const remembered = await fetch(`${restarted.url}/v1/consent/${VISITOR}`, {
      headers: { authorization: AUTHORIZATION, cookie: visitorCookie },
    })
    expect(remembered.status).toBe(200)
    expect(JSON.stringify(await remembered.json())).toContain('"analytics":true')

    const received = await eventually(() => {
      const ids = ga4.requests.flatMap(probeIds)
      return accepted.every((id) => ids.includes(id)) ? ids : undefined
    }, 30_000)
    const duplicated = [...counts(received)].filter(([, count]) => count > 1).map(([id]) => id)
    console.info(
      `durability (SIGKILL): sent ${EVENTS}, accepted ${accepted.length} before the kill, delivered before the kill ${new Set(beforeKill).size}, delivered in all ${new Set(received).size}, duplicated ${duplicated.length} (the batches in flight at the kill)`,
    )
    expect(accepted.length).toBeGreaterThan(0)
    expect(accepted.length).toBeLessThan(EVENTS)
    // Every accepted event arrives; a request cut off by the kill may have been queued too (never answered).
    expect(accepted.filter((id) => !received.includes(id))).toEqual([])
    expect(duplicated.every((id) => beforeKill.includes(id))).toBe(true)
    expect(duplicated.length).toBeLessThanOrEqual(MOST_IN_FLIGHT)
  }, 90_000)

  it('drains running deliveries on SIGTERM, and a restart delivers the rest without duplicates', async () => {
    const stopping = system
    if (!stopping) throw new Error('not started')
    const accepted = await sendEvents(stopping)
    await ga4.waitFor(3, 20_000)
    await stopping.stop()
    expect(stopping.output()).toContain('SIGTERM: draining deliveries')
    expect(stopping.output()).not.toContain('deliveries still running')

    await start()
    const received = await eventually(() => {
      const ids = ga4.requests.flatMap(probeIds)
      return accepted.every((id) => ids.includes(id)) ? ids : undefined
    }, 30_000)
    const duplicated = [...counts(received)].filter(([, count]) => count > 1).length
    console.info(
      `durability (SIGTERM): accepted ${accepted.length}, delivered ${new Set(received).size}, duplicated ${duplicated}`,
    )
    expect(new Set(received)).toEqual(new Set(accepted))
    expect(duplicated).toBe(0)
  }, 90_000)
})
