import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
import { inMemoryConsentStore } from '#shared/adapters/in-memory-consent-store.ts'
import { parseConfig } from '#shared/config/load.ts'
import type { Dispatch } from '#shared/delivery/message.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { createCollectHandler } from '../functions/collect/handler.ts'
import { apiEvent, basicAuthorization, lambdaContext } from '../test/support/api-event.ts'

const PSEUDONYM_KEY = 'bench-pseudonym-key'
const WRITE_KEY = 'bench-write-key'
export const BENCH_VISITORS = 5
export const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'

export const benchConfig = parseConfig({
  sites: [{ id: 'bench', writeKeys: [WRITE_KEY], allowedOrigins: ['https://www.example.com'] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-BENCH1' } },
})

export function batchRequest(body: string): APIGatewayProxyEventV2 {
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

export type BenchHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>

/**
 * The collect handler on in-memory ports; visitors `visitor-0` … `visitor-4` have stored consent
 * (analytics for the even ones). `queued()` counts the messages it was given.
 */
export async function benchCollectHandler(): Promise<{ handle: BenchHandler; queued: () => number }> {
  const consent = inMemoryConsentStore()
  for (let index = 0; index < BENCH_VISITORS; index++) {
    await consent.record({
      consentKey: consentKey(PSEUDONYM_KEY, 'bench', `visitor-${index}`),
      purposes: { analytics: index % 2 === 0, marketing: false },
      policyVersion: benchConfig.policyVersion,
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
    config: benchConfig,
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
  return { handle: (event) => handler(event, context), queued: () => queued }
}
