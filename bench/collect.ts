import { performance } from 'node:perf_hooks'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { BENCH_VISITORS, batchRequest, benchCollectHandler, UA } from './collect-setup.ts'

const EVENTS_PER_REQUEST = 20
const WARMUP_REQUESTS = 200
const COLLECT_REQUESTS_PER_ROUND = 1_000
// The floor is over 10× cheaper: ten times the requests make its round about as long as collect's, so
// one pause of the machine (or a collection of collect's garbage) does not decide a floor round.
const FLOOR_REQUESTS_PER_ROUND = 10_000
// Floor and collect alternate round by round, so a noisy moment of the machine hits both sides alike.
const ROUNDS = 7

type Handle = (event: APIGatewayProxyEventV2) => Promise<unknown>

function batchBody(): string {
  const batch = Array.from({ length: EVENTS_PER_REQUEST }, (_, index) => ({
    type: index % 2 === 0 ? 'page' : 'track',
    event: 'Checkout Step Viewed',
    anonymousId: `visitor-${index % BENCH_VISITORS}`,
    messageId: `bench-${index}`,
    timestamp: new Date().toISOString(),
    properties: { step: index, plan: 'pro', coupon: 'SPRING', email: 'someone@example.com' },
    context: {
      userAgent: UA,
      locale: 'de-DE',
      page: {
        url: 'https://www.example.com/checkout?step=2&utm_source=news',
        title: 'Checkout',
        referrer: 'https://www.google.com/',
      },
    },
  }))
  return JSON.stringify({ batch, sentAt: new Date().toISOString() })
}

async function perEventMicros(
  handle: Handle,
  event: APIGatewayProxyEventV2,
  requests: number,
): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < requests; i++) await handle(event)
  return ((performance.now() - started) * 1000) / (requests * EVENTS_PER_REQUEST)
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

export interface CollectBenchResult {
  floorMicros: number[]
  collectMicros: number[]
  ratios: number[]
}

/** Alternating rounds of floor and collect over the same batch; one ratio per round. */
async function measure(floor: Handle, collect: Handle): Promise<CollectBenchResult> {
  const event = batchRequest(batchBody())
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    await floor(event)
    await collect(event)
  }
  const result: CollectBenchResult = { floorMicros: [], collectMicros: [], ratios: [] }
  for (let round = 0; round < ROUNDS; round++) {
    const floorMicros = await perEventMicros(floor, event, FLOOR_REQUESTS_PER_ROUND)
    const collectMicros = await perEventMicros(collect, event, COLLECT_REQUESTS_PER_ROUND)
    result.floorMicros.push(floorMicros)
    result.collectMicros.push(collectMicros)
    result.ratios.push(collectMicros / floorMicros)
  }
  return result
}

/** Per-event CPU cost of the collect path (in-memory ports), against a handler that only parses JSON. */
export async function runCollectBench(): Promise<CollectBenchResult> {
  const { handle, queued } = await benchCollectHandler()
  const floor: Handle = async (event) => {
    JSON.parse(event.body ?? '')
    return { statusCode: 200, body: '{"success":true}' }
  }

  const result = await measure(floor, handle)
  const micros = (values: number[]) =>
    `min ${Math.min(...values).toFixed(2)}  median ${median(values).toFixed(2)} µs/event`
  console.log(
    `collect path, ${EVENTS_PER_REQUEST}-event batches, ${ROUNDS} alternating rounds (floor ${FLOOR_REQUESTS_PER_ROUND} requests, collect ${COLLECT_REQUESTS_PER_ROUND}; in-memory consent and queue):`,
  )
  console.log(`  floor (JSON.parse only)   ${micros(result.floorMicros)}`)
  console.log(`  tagwarden collect         ${micros(result.collectMicros)}`)
  console.log(
    `  ratio per round           ${result.ratios.map((ratio) => ratio.toFixed(1)).join(' ')}  → median ${median(result.ratios).toFixed(1)}× floor (bound: 15×)`,
  )
  console.log(`  events queued for GA4: ${queued()}`)
  return result
}

if (import.meta.url === `file://${process.argv[1]}`) await runCollectBench()
