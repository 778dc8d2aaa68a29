import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { apiEvent, lambdaContext } from '../support/api-event.ts'

const WRITE_KEY = 'entry-write-key-1'
const VISITOR_IP = '198.51.100.99'

beforeAll(() => {
  vi.stubEnv(
    'TAGWARDEN_CONFIG_JSON',
    JSON.stringify({
      sites: [{ id: 'shop', writeKeys: [WRITE_KEY], allowedOrigins: ['https://shop.example'] }],
    }),
  )
  vi.stubEnv('CONSENT_TABLE_NAME', 'collect-entry-test')
  vi.stubEnv('IDEMPOTENCY_TABLE_NAME', 'collect-entry-idempotency-test')
  vi.stubEnv('CONFIG_TABLE_NAME', 'collect-entry-config-test')
  vi.stubEnv('TAGWARDEN_PSEUDONYM_KEY', 'collect-entry-pseudonym-key')
  vi.stubEnv('AWS_REGION', 'eu-central-1')
  vi.stubEnv('POWERTOOLS_DEV', '')
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false')
})
afterAll(() => vi.unstubAllEnvs())

/** Everything the entry writes to stdout and stderr while `act` runs, one string per write. */
async function captured(act: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = []
  const record = (chunk: unknown) => {
    written.push(String(chunk))
    return true
  }
  const captures = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ]
  try {
    await act()
  } finally {
    for (const capture of captures) capture.mockRestore()
  }
  return written
}

describe('collect Lambda entry', () => {
  it('logs a refused pixel at WARN with the error only, and counts it as PixelClientErrors', async () => {
    const { handler } = await import('../../functions/collect.ts')
    let status: number | undefined
    const lines = await captured(async () => {
      const response = await handler(
        apiEvent({
          method: 'GET',
          path: '/p.gif',
          query: {
            k: 'not-a-key-123',
            aid: 'visitor-needle',
            url: 'https://shop.example/?email=a@b.example',
          },
          sourceIp: VISITOR_IP,
        }),
        lambdaContext(),
      )
      status = response.statusCode
    })
    const records = lines
      .flatMap((line) => line.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line))

    expect(status).toBe(200)
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'pixel request refused',
        error: 'UnauthorizedError',
        field: 'writeKey',
      }),
    )
    expect(records.filter((record) => record.level === 'ERROR')).toEqual([])
    const emf = records.find((record) => record._aws !== undefined)
    expect(emf).toMatchObject({
      PixelClientErrors: 1,
      _aws: {
        CloudWatchMetrics: [
          { Namespace: 'tagwarden', Metrics: [{ Name: 'PixelClientErrors', Unit: 'Count' }] },
        ],
      },
    })
    const all = lines.join('')
    expect(all).not.toContain(VISITOR_IP)
    expect(all).not.toContain('visitor-needle')
    expect(all).not.toContain('a@b.example')
  })
})
