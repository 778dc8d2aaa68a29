import { performance } from 'node:perf_hooks'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { inMemoryConsentStore } from '#shared/adapters/in-memory-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { Dispatch } from '#shared/delivery/message.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { createCollectHandler } from '../functions/collect/handler.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../test/support/api-event.ts'

const EVENTS_PER_REQUEST = 20
const WARMUP_REQUESTS = 200
const MEASURED_REQUESTS = 2_000
const PSEUDONYM_KEY = 'bench-pseudonym-key'
const WRITE_KEY = 'bench-write-key'
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'

const config = parseConfig({
  sites: [{ id: 'bench', writeKeys: [WRITE_KEY], allowedOrigins: ['https://www.example.com'] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-BENCH1' } },
})

function batchBody(): string {
  const batch = Array.from({ length: EVENTS_PER_REQUEST }, (_, index) => ({
    type: index % 2 === 0 ? 'page' : 'track',
    event: 'Checkout Step Viewed',
    anonymousId: `visitor-${index % 5}`,
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

function batchRequest(body: string): APIGatewayProxyEventV2 {
  return apiEvent({
    method: 'POST',
    path: '/v1/batch',
    body,
    headers: {
      authorization: basicAuthorization(WRITE_KEY),
      origin: 'https://www.example.com',
      'content-type': 'text/plain',
      'user-agent': UA,
    },
  })
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
  const consent = inMemoryConsentStore()
  for (let index = 0; index < 5; index++) {
    await consent.record({
      consentKey: consentKey(PSEUDONYM_KEY, 'bench', `visitor-${index}`),
      purposes: { analytics: index % 2 === 0, marketing: false },
      policyVersion: config.policyVersion,
      receiptId: `receipt-${index}`,
      updatedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    })
  }
  let queued = 0
  const dispatch: Dispatch = {
    enqueue: async (_vendor, messages) => {
      queued += messages.length
    },
  }
  const handler = createCollectHandler({
    config,
    consent,
    dispatch,
    pseudonymKey: PSEUDONYM_KEY,
    trustProxy: false,
    now: () => new Date(),
    reportError: (error) => {
      throw error
    },
  })
  const context = lambdaContext('bench')
  const floor = async (event: APIGatewayProxyEventV2) => {
    JSON.parse(event.body ?? '')
    return { statusCode: 200, body: '{"success":true}' }
  }

  const floorMicros = await perEventMicros(floor)
  const collectMicros = await perEventMicros((event) => handler(event, context))
  console.log(
    `collect path, ${EVENTS_PER_REQUEST}-event batches, ${MEASURED_REQUESTS} requests (in-memory consent and queue):`,
  )
  console.log(`  floor (JSON.parse only)   ${floorMicros.toFixed(2)} µs/event`)
  console.log(
    `  tagwarden collect         ${collectMicros.toFixed(2)} µs/event  (${(collectMicros / floorMicros).toFixed(1)}× floor)`,
  )
  console.log(`  events queued for GA4: ${queued}`)
}

if (import.meta.url === `file://${process.argv[1]}`) await runCollectBench()
