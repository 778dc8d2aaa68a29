import { z } from 'zod'
import { parseConfig } from '#shared/config/load.ts'
import type { LocalQueueSettings } from '../../local/queues.ts'
import { startLocalSystem } from '../../local/system.ts'
import { visitorJar } from '../support/visitor-cookie.ts'
import { type FaultyVendor, SEQ_PARAM, startFaultyVendor, type VendorAction } from './faulty-vendor.ts'

const WRITE_KEY = 'fault-suite-key'
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'
const NO_CONTENT = 204
const SETTLE_POLL_MS = 25
/** The deployed deliverer's timeout over GA4's default request timeout: 30 s / 5 s. */
const FUNCTION_TO_VENDOR_TIMEOUT = 6
const collectAnswerSchema = z.object({ queued: z.number() })
const queuedBodySchema = z.object({ messageId: z.string() })

/** One kind of vendor trouble: what the stand-in answers to its `index`-th request, `elapsedMs` into the run. */
export interface FaultMode {
  name: string
  act(index: number, elapsedMs: number): VendorAction
}

export interface FaultRunOptions {
  events: number
  /** Events per collect request. */
  batchSize: number
  visitors: number
  /** The GA4 request timeout: a hung request is given up after this. */
  vendorTimeoutMs: number
  /** How long one second of a ChangeMessageVisibility delay (backoff, Retry-After) lasts in this run. */
  redeliverySecondMs: number
  /** Give up waiting for every event to be delivered or dead-lettered after this. */
  settleTimeoutMs: number
}

export interface FaultFigures {
  mode: string
  accepted: number
  delivered: number
  deadLettered: number
  /** Accepted events neither delivered nor dead-lettered when the run ended. */
  lost: number
  /** Extra deliveries of events the vendor had already taken. */
  duplicates: number
  vendorRequests: number
  /** Vendor requests the GA4 validator finds fault with. */
  invalidRequests: number
  /** Collect and consent requests answered while the vendor held every request open, answering none. */
  answeredWhileVendorHung: boolean
}

/**
 * The local system's queues with the deployed shape (batch 25, 2 pollers, 12 receives), time shortened.
 * The function timeout keeps the deployed margin over the vendor timeout (30 s against 5 s): on a busy
 * test machine a tighter one ends invocations that already delivered, and SQS then sends their whole
 * batch again (duplicates that say nothing about the deliverer).
 */
function queueSettings(options: FaultRunOptions): LocalQueueSettings {
  const functionTimeoutMs = FUNCTION_TO_VENDOR_TIMEOUT * options.vendorTimeoutMs
  return {
    batchSize: 25,
    concurrency: 2,
    functionTimeoutMs,
    visibilityTimeoutMs: 2 * functionTimeoutMs,
    idlePollMs: 10,
    maxReceiveCount: 12,
    redeliverySecondMs: options.redeliverySecondMs,
  }
}

/**
 * Runs the whole local system (collect, consent, local queues, deliverer) against a faulty GA4
 * stand-in and counts, by event, what the vendor took and what was dead-lettered. First, while the
 * vendor holds every request open, a collect and a consent request must still be answered.
 */
export async function runFaultMode(mode: FaultMode, options: FaultRunOptions): Promise<FaultFigures> {
  let vendorHangsAll = true
  let faultsFrom = Date.now()
  const vendor = await startFaultyVendor((index) =>
    vendorHangsAll ? 'hang' : mode.act(index, Date.now() - faultsFrom),
  )
  const config = parseConfig({
    sites: [{ id: 'faults', writeKeys: [WRITE_KEY], allowedOrigins: ['https://shop.example'] }],
    vendors: {
      ga4: {
        enabled: true,
        measurementId: 'G-FAULTS1',
        timeoutMs: options.vendorTimeoutMs,
        // GA4 drops properties it is not told to take: the sequence number is how the run counts events.
        forwardProperties: [SEQ_PARAM],
      },
    },
  })
  const system = await startLocalSystem({
    config,
    port: 0,
    pseudonymKey: 'fault-suite-pseudonym-key',
    credentials: { ga4: JSON.stringify({ apiSecret: 'fault-suite-secret' }) },
    vendorBaseUrl: vendor.url,
    trustProxy: false,
    print: () => {},
    queueSettings: queueSettings(options),
  })
  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
  const jar = visitorJar()
  const call = async (method: string, path: string, body: unknown, visitorId?: string) => {
    const response = await fetch(`${system.url}${path}`, {
      method,
      headers: {
        authorization,
        'content-type': 'application/json',
        'user-agent': BROWSER_UA,
        ...(visitorId ? jar.headerFor(visitorId) : {}),
      },
      body: JSON.stringify(body),
    })
    if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}`)
    if (visitorId) jar.keep(visitorId, response.headers.get('set-cookie'))
    const answer: unknown = await response.json()
    return answer
  }
  const visitor = (seq: number) => `fault-visitor-${seq % options.visitors}`
  const event = (seq: number) => ({
    type: 'track',
    event: 'Fault Probe',
    anonymousId: visitor(seq),
    messageId: `${mode.name}-${seq}`,
    properties: { [SEQ_PARAM]: seq },
  })
  const collect = async (seqs: ReadonlyArray<number>): Promise<number> => {
    return collectAnswerSchema.parse(await call('POST', '/v1/batch', { batch: seqs.map(event) })).queued
  }

  try {
    for (let index = 0; index < options.visitors; index += 1)
      await call(
        'PUT',
        '/v1/consent',
        { anonymousId: visitor(index), purposes: { analytics: true } },
        visitor(index),
      )

    const seqs = Array.from({ length: options.events }, (_, seq) => seq)
    let accepted = await collect(seqs.slice(0, options.batchSize))
    await untilSettled(() => vendor.exchanges.length > 0, options.settleTimeoutMs)
    // The vendor now holds a request open and has answered nothing: collect and consent must not wait on it.
    accepted += await collect(seqs.slice(options.batchSize, 2 * options.batchSize))
    await call('PUT', '/v1/consent', { anonymousId: visitor(0), purposes: { analytics: true } }, visitor(0))
    const answeredWhileVendorHung = vendor.exchanges.every((exchange) => exchange.action === 'hang')
    vendorHangsAll = false
    faultsFrom = Date.now()

    for (let start = 2 * options.batchSize; start < options.events; start += options.batchSize)
      accepted += await collect(seqs.slice(start, start + options.batchSize))

    const deadLettered = () =>
      new Set(
        system.queues
          .deadLettered('ga4')
          .map((letter) =>
            Number(queuedBodySchema.parse(JSON.parse(letter.body)).messageId.split('-').at(-1)),
          ),
      )
    const settled = () => {
      const taken = deliveredSeqs(vendor)
      const dead = deadLettered()
      return seqs.every((seq) => taken.has(seq) || dead.has(seq)) && system.queues.size('ga4') === 0
    }
    await untilSettled(settled, options.settleTimeoutMs).catch(() => {})

    const taken = deliveredSeqs(vendor)
    const dead = deadLettered()
    const deliveries = vendor.exchanges
      .filter((exchange) => isTaken(exchange.action))
      .reduce((sum, exchange) => sum + exchange.seqs.length, 0)
    return {
      mode: mode.name,
      accepted,
      delivered: taken.size,
      deadLettered: [...dead].filter((seq) => !taken.has(seq)).length,
      lost: seqs.filter((seq) => !taken.has(seq) && !dead.has(seq)).length,
      duplicates: deliveries - taken.size,
      vendorRequests: vendor.exchanges.length,
      invalidRequests: vendor.exchanges.filter((exchange) => exchange.problems.length > 0).length,
      answeredWhileVendorHung,
    }
  } finally {
    await system.close()
    await vendor.close()
  }
}

const isTaken = (action: VendorAction) => action !== 'hang' && action.answer >= 200 && action.answer < 300

function deliveredSeqs(vendor: FaultyVendor): Set<number> {
  return new Set(vendor.exchanges.flatMap((exchange) => (isTaken(exchange.action) ? exchange.seqs : [])))
}

async function untilSettled(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not settled within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS))
  }
}

/** A small seeded generator, so a mode's faults are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The five modes of issue 6 item 9; `outageMs` is 60 s in `npm run faults`, shorter in the test. */
export function faultModes(outageMs: number): FaultMode[] {
  const fivexx = seededRandom(1)
  const hangs = seededRandom(2)
  return [
    {
      name: '30% 5xx',
      act: () =>
        fivexx() < 0.3
          ? { answer: [500, 502, 503][Math.floor(fivexx() * 3)] ?? 500 }
          : { answer: NO_CONTENT },
    },
    {
      name: '429 bursts',
      // Four of every ten requests are throttled and asked to wait 3 s.
      act: (index) =>
        index % 10 < 4 ? { answer: 429, headers: { 'retry-after': '3' } } : { answer: NO_CONTENT },
    },
    { name: 'hanging 20%', act: () => (hangs() < 0.2 ? 'hang' : { answer: NO_CONTENT }) },
    { name: '400 every 10th', act: (index) => ({ answer: index % 10 === 9 ? 400 : NO_CONTENT }) },
    {
      name: `outage ${Math.round(outageMs / 1000)} s`,
      act: (_index, elapsedMs) => ({ answer: elapsedMs < outageMs ? 503 : NO_CONTENT }),
    },
  ]
}
