import { performance } from 'node:perf_hooks'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { BENCH_VISITORS, batchRequest, benchCollectHandler, UA } from './collect-setup.ts'

const EVENTS_PER_REQUEST = 20
const WARMUP_REQUESTS = 200
const MEASURED_REQUESTS = 2_000

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

async function perEventMicros(handle: (event: APIGatewayProxyEventV2) => Promise<unknown>): Promise<number> {
  const event = batchRequest(batchBody())
  for (let i = 0; i < WARMUP_REQUESTS; i++) await handle(event)
  const started = performance.now()
  for (let i = 0; i < MEASURED_REQUESTS; i++) await handle(event)
  return ((performance.now() - started) * 1000) / (MEASURED_REQUESTS * EVENTS_PER_REQUEST)
}

/** Per-event CPU cost of the collect path (in-memory ports), against a handler that only parses JSON. */
export async function runCollectBench(): Promise<void> {
  const { handle, queued } = await benchCollectHandler()
  const floor = async (event: APIGatewayProxyEventV2) => {
    JSON.parse(event.body ?? '')
    return { statusCode: 200, body: '{"success":true}' }
  }

  const floorMicros = await perEventMicros(floor)
  const collectMicros = await perEventMicros(handle)
  console.log(
    `collect path, ${EVENTS_PER_REQUEST}-event batches, ${MEASURED_REQUESTS} requests (in-memory consent and queue):`,
  )
  console.log(`  floor (JSON.parse only)   ${floorMicros.toFixed(2)} µs/event`)
  console.log(
    `  tagwarden collect         ${collectMicros.toFixed(2)} µs/event  (${(collectMicros / floorMicros).toFixed(1)}× floor)`,
  )
  console.log(`  events queued for GA4: ${queued()}`)
}

if (import.meta.url === `file://${process.argv[1]}`) await runCollectBench()
