import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Analytics } from '@segment/analytics-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeKeyFromAuthorization } from '#shared/config/sites.ts'
import {
  MAX_BATCH_EVENTS,
  MAX_EVENT_BYTES,
  MAX_JSON_DEPTH,
  MAX_REQUEST_BYTES,
} from '#shared/events/limits.ts'
import { type IngestRoute, parseIngestBody } from '#shared/events/parse.ts'
import { clientErrorFrom } from './client-error.ts'
import { analyticsJsBatchBody, rudderStackBatchBody } from './fixtures.ts'

const parse = (route: IngestRoute, body: string | undefined, authorizationWriteKey: string | null = null) =>
  parseIngestBody({ route, body, authorizationWriteKey })

const batchOf = (...events: object[]) => JSON.stringify({ batch: events })
const trackEvent = (overrides: object = {}) => ({
  type: 'track',
  event: 'Signed Up',
  anonymousId: 'visitor-1',
  ...overrides,
})

interface CapturedRequest {
  headers: IncomingHttpHeaders
  body: string
}

/** Runs the real analytics-node SDK against a loopback server and returns what it sent. */
async function captureAnalyticsNodeRequest(): Promise<CapturedRequest> {
  const captured: CapturedRequest[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      captured.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    const analytics = new Analytics({
      writeKey: 'node-write-key',
      host: `http://127.0.0.1:${port}`,
      maxRetries: 0,
    })
    analytics.identify({ userId: 'user-42', traits: { plan: 'pro' } })
    analytics.track({ anonymousId: 'node-visitor', event: 'Invoice Paid', properties: { amount: 99 } })
    analytics.page({ anonymousId: 'node-visitor', name: 'Home', properties: { url: 'https://example.com/' } })
    await analytics.closeAndFlush()
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
  const [first] = captured
  if (!first) throw new Error('analytics-node sent nothing')
  return first
}

describe('parseIngestBody with real client payloads', () => {
  let analyticsNode: CapturedRequest

  beforeAll(async () => {
    analyticsNode = await captureAnalyticsNodeRequest()
  })

  it('accepts an analytics.js text/plain batch with the write key in the body', () => {
    const parsed = parse('batch', analyticsJsBatchBody)

    expect(parsed.writeKey).toBe('ajs-write-key')
    expect(parsed.events.map((event) => event.type)).toEqual(['page', 'track'])
    const [page, track] = parsed.events
    expect(page).toMatchObject({
      messageId: 'ajs-next-1714644930123-6f1b1c32-3b0e-4e8e-9d6f-2c1d9b5e7a10',
      anonymousId: '8d3c2f8e-2a1b-4c7d-9e0f-1a2b3c4d5e6f',
      name: 'Pricing',
      timestamp: '2024-05-02T10:15:30.123Z',
      sentAt: '2024-05-02T10:15:30.130Z',
      context: {
        page: {
          url: 'https://www.example.com/pricing?utm_source=newsletter',
          title: 'Pricing',
          path: '/pricing',
        },
        locale: 'de-DE',
        consent: { analytics: true, marketing: false },
      },
    })
    expect(page?.userId).toBeUndefined()
    expect(track).toMatchObject({ event: 'Trial Started', properties: { plan: 'pro', seats: 5 } })
  })

  it('accepts a batch from analytics-node, which sends the write key as Basic auth', () => {
    const writeKey = writeKeyFromAuthorization(analyticsNode.headers.authorization)

    const parsed = parse('batch', analyticsNode.body, writeKey)

    expect(parsed.writeKey).toBe('node-write-key')
    expect(parsed.events.map((event) => event.type)).toEqual(['identify', 'track', 'page'])
    const [identify, track, page] = parsed.events
    expect(identify).toMatchObject({ userId: 'user-42', traits: { plan: 'pro' } })
    expect(track).toMatchObject({
      anonymousId: 'node-visitor',
      event: 'Invoice Paid',
      properties: { amount: 99 },
    })
    expect(page).toMatchObject({ name: 'Home', context: { page: { url: 'https://example.com/' } } })
    expect(track?.messageId).toMatch(/\S/)
    expect(Number.isNaN(Date.parse(track?.timestamp ?? ''))).toBe(false)
  })

  it('accepts a RudderStack batch, keeping its numeric session id as a string', () => {
    const parsed = parse('batch', rudderStackBatchBody, 'rudder-write-key')

    const [track, page] = parsed.events
    expect(parsed.writeKey).toBe('rudder-write-key')
    expect(track).toMatchObject({
      event: 'Docs Searched',
      timestamp: '2024-05-02T10:15:30.123Z',
      context: { sessionId: '1714644930123', locale: 'en-GB' },
    })
    expect(track?.userId).toBeUndefined()
    expect(page).toMatchObject({ name: 'Docs', context: { page: { url: 'https://www.example.com/docs' } } })
  })

  it('accepts a base64-encoded body, as API Gateway delivers text/plain', () => {
    const parsed = parseIngestBody({
      route: 'batch',
      body: Buffer.from(analyticsJsBatchBody).toString('base64'),
      isBase64Encoded: true,
      authorizationWriteKey: null,
    })

    expect(parsed.events).toHaveLength(2)
  })
})

describe('parseIngestBody on single-event routes', () => {
  it('takes the event type from the route when the body has none', () => {
    const parsed = parse('identify', JSON.stringify({ userId: 'u-1', traits: { plan: 'free' } }))

    expect(parsed.events).toEqual([expect.objectContaining({ type: 'identify', userId: 'u-1' })])
  })

  it('rejects a body type that disagrees with the route, naming type', () => {
    const error = clientErrorFrom(() => parse('track', JSON.stringify(trackEvent({ type: 'page' }))))

    expect(error).toMatchObject({ statusCode: 400, field: 'type' })
  })

  it('uses the event body writeKey when there is no Authorization header', () => {
    const parsed = parse('track', JSON.stringify(trackEvent({ writeKey: 'from-body' })))

    expect(parsed.writeKey).toBe('from-body')
  })

  it('names the field without a batch prefix', () => {
    const error = clientErrorFrom(() => parse('track', JSON.stringify(trackEvent({ event: '' }))))

    expect(error).toMatchObject({ statusCode: 400, field: 'event' })
  })
})

describe('parseIngestBody write key precedence', () => {
  const body = JSON.stringify({ batch: [trackEvent({ writeKey: 'from-event' })], writeKey: 'from-batch' })

  it('prefers the Authorization header', () => {
    expect(parse('batch', body, 'from-header').writeKey).toBe('from-header')
  })

  it('falls back to the batch-level writeKey', () => {
    expect(parse('batch', body).writeKey).toBe('from-batch')
  })

  it('falls back to the per-event writeKey', () => {
    expect(parse('batch', batchOf(trackEvent({ writeKey: 'from-event' }), trackEvent())).writeKey).toBe(
      'from-event',
    )
  })

  it('returns null when no key is given anywhere', () => {
    expect(parse('batch', batchOf(trackEvent())).writeKey).toBeNull()
  })

  it('treats an empty header key as absent', () => {
    expect(parse('batch', body, '').writeKey).toBe('from-batch')
  })

  it('rejects a batch whose events name different write keys', () => {
    const error = clientErrorFrom(() =>
      parse('batch', batchOf(trackEvent({ writeKey: 'site-a' }), trackEvent({ writeKey: 'site-b' }))),
    )

    expect(error).toMatchObject({ statusCode: 400, field: 'batch[1].writeKey' })
  })
})

describe('parseIngestBody batch envelope', () => {
  it('applies the batch sentAt and writeKey to events that lack their own', () => {
    const body = JSON.stringify({ batch: [trackEvent()], sentAt: '2024-05-02T10:00:00.000Z', writeKey: 'wk' })

    const [event] = parse('batch', body).events

    expect(event).toMatchObject({ sentAt: '2024-05-02T10:00:00.000Z', writeKey: 'wk' })
  })

  it('merges the batch context into each event context, the event winning', () => {
    const body = JSON.stringify({
      batch: [trackEvent({ context: { locale: 'fr-FR' } })],
      context: { locale: 'de-DE', userAgent: 'shared-agent' },
    })

    const [event] = parse('batch', body).events

    expect(event?.context).toMatchObject({ locale: 'fr-FR', userAgent: 'shared-agent' })
  })

  it('ignores unknown top-level keys', () => {
    const body = JSON.stringify({ batch: [trackEvent({ channel: 'server', _metadata: {} })], extra: true })

    expect(parse('batch', body).events).toHaveLength(1)
  })
})

describe('parseIngestBody errors name their field', () => {
  it.each([
    ['a missing body', undefined, 'body'],
    ['an empty body', '', 'body'],
    ['invalid JSON', '{"batch": [', 'body'],
    ['a JSON array body', '[]', 'body'],
    ['a JSON string body', '"hello"', 'body'],
    ['a missing batch', '{}', 'batch'],
    ['an empty batch', '{"batch":[]}', 'batch'],
    ['a batch that is not an array', '{"batch":{}}', 'batch'],
    ['a batch item that is not an object', '{"batch":[42]}', 'batch[0]'],
    ['an invalid batch sentAt', JSON.stringify({ batch: [trackEvent()], sentAt: 'yesterday' }), 'sentAt'],
    [
      'a batch context that is not an object',
      JSON.stringify({ batch: [trackEvent()], context: 'x' }),
      'context',
    ],
    [
      'a track event without a name',
      batchOf(trackEvent(), trackEvent(), trackEvent({ event: ' ' })),
      'batch[2].event',
    ],
    [
      'an event without any visitor id',
      batchOf(trackEvent({ anonymousId: undefined })),
      'batch[0].anonymousId',
    ],
    ['an unknown event type', batchOf(trackEvent({ type: 'purchase' })), 'batch[0].type'],
    ['an event without a type', batchOf(trackEvent({ type: undefined })), 'batch[0].type'],
    ['an over-long messageId', batchOf(trackEvent({ messageId: 'm'.repeat(101) })), 'batch[0].messageId'],
    [
      'an invalid timestamp',
      batchOf(trackEvent({ timestamp: '2024-13-01T00:00:00Z' })),
      'batch[0].timestamp',
    ],
    [
      'a non-string page url',
      batchOf(trackEvent({ context: { page: { url: 7 } } })),
      'batch[0].context.page.url',
    ],
    ['properties that are an array', batchOf(trackEvent({ properties: [] })), 'batch[0].properties'],
  ])('rejects %s with 400 naming %s', (_case, body, field) => {
    const error = clientErrorFrom(() => parse('batch', body))

    expect(error).toMatchObject({ statusCode: 400, field })
  })

  it('accepts group, alias and screen calls in a batch but skips them, keeping the other events', () => {
    const body = batchOf(
      trackEvent({ type: 'group', messageId: 'g-1', groupId: 'acme' }),
      trackEvent({ messageId: 't-1' }),
      trackEvent({ type: 'alias', messageId: 'a-1', previousId: 'old' }),
      trackEvent({ type: 'screen', messageId: undefined }),
    )

    const parsed = parse('batch', body)

    expect(parsed.events.map((event) => event.messageId)).toEqual(['t-1'])
    expect(parsed.skipped.map((skipped) => skipped.type)).toEqual(['group', 'alias', 'screen'])
    expect(parsed.skipped.slice(0, 2).map((skipped) => skipped.messageId)).toEqual(['g-1', 'a-1'])
  })

  it('lists the accepted types when rejecting an unknown type', () => {
    const error = clientErrorFrom(() => parse('batch', batchOf(trackEvent({ type: 'purchase' }))))

    expect(error.message).toContain('page, track, identify')
  })

  it('rejects a base64 body that is not valid UTF-8', () => {
    const error = clientErrorFrom(() =>
      parseIngestBody({
        route: 'batch',
        body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'),
        isBase64Encoded: true,
        authorizationWriteKey: null,
      }),
    )

    expect(error).toMatchObject({ statusCode: 400, field: 'body' })
  })
})

describe('parseIngestBody size limits', () => {
  /** A valid batch body padded with trailing whitespace to exactly `bytes` bytes. */
  const batchBodyOfBytes = (bytes: number) => {
    const body = batchOf(trackEvent())
    return body + ' '.repeat(bytes - Buffer.byteLength(body))
  }

  /** A track event whose JSON serialisation is exactly `bytes` bytes. */
  const eventOfBytes = (bytes: number) => {
    const event = trackEvent({ properties: { padding: '' } })
    return trackEvent({
      properties: { padding: 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(event))) },
    })
  }

  it('accepts a request of exactly MAX_REQUEST_BYTES', () => {
    expect(parse('batch', batchBodyOfBytes(MAX_REQUEST_BYTES)).events).toHaveLength(1)
  })

  it('rejects a request one byte over MAX_REQUEST_BYTES with 413 naming body', () => {
    const error = clientErrorFrom(() => parse('batch', batchBodyOfBytes(MAX_REQUEST_BYTES + 1)))

    expect(error).toMatchObject({ statusCode: 413, field: 'body' })
  })

  it('measures bytes, not characters', () => {
    const event = trackEvent({ properties: { text: 'é'.repeat(20_000) } })
    const body = batchOf(...Array.from({ length: 14 }, () => event))
    expect(body.length).toBeLessThan(MAX_REQUEST_BYTES)

    const error = clientErrorFrom(() => parse('batch', body))

    expect(error).toMatchObject({ statusCode: 413, field: 'body' })
  })

  it('measures a base64 body after decoding it', () => {
    const body = Buffer.from(batchBodyOfBytes(MAX_REQUEST_BYTES)).toString('base64')
    expect(body.length).toBeGreaterThan(MAX_REQUEST_BYTES)

    const parsed = parseIngestBody({
      route: 'batch',
      body,
      isBase64Encoded: true,
      authorizationWriteKey: null,
    })

    expect(parsed.events).toHaveLength(1)
  })

  it('accepts an event of exactly MAX_EVENT_BYTES', () => {
    expect(parse('batch', batchOf(eventOfBytes(MAX_EVENT_BYTES))).events).toHaveLength(1)
  })

  it('rejects an event one byte over MAX_EVENT_BYTES with 413 naming its index', () => {
    const events = [trackEvent(), trackEvent(), trackEvent(), eventOfBytes(MAX_EVENT_BYTES + 1)]

    const error = clientErrorFrom(() => parse('batch', batchOf(...events)))

    expect(error).toMatchObject({ statusCode: 413, field: 'batch[3]' })
  })

  it('rejects a single-route event over MAX_EVENT_BYTES with 413 naming body', () => {
    const error = clientErrorFrom(() => parse('track', JSON.stringify(eventOfBytes(MAX_EVENT_BYTES + 1))))

    expect(error).toMatchObject({ statusCode: 413, field: 'body' })
  })

  it('accepts MAX_BATCH_EVENTS events and rejects one more, naming batch', () => {
    const full = Array.from({ length: MAX_BATCH_EVENTS }, () => trackEvent())

    expect(parse('batch', batchOf(...full)).events).toHaveLength(MAX_BATCH_EVENTS)
    expect(clientErrorFrom(() => parse('batch', batchOf(...full, trackEvent())))).toMatchObject({
      statusCode: 400,
      field: 'batch',
    })
  })

  it('accepts nesting up to MAX_JSON_DEPTH and rejects deeper nesting as a 400', () => {
    // the body, its batch array and the event take three levels; properties is the fourth
    const nested = (levels: number) => JSON.parse(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`)
    const atLimit = batchOf(trackEvent({ properties: nested(MAX_JSON_DEPTH - 3) }))
    const overLimit = batchOf(trackEvent({ properties: nested(MAX_JSON_DEPTH - 2) }))

    expect(parse('batch', atLimit).events).toHaveLength(1)
    expect(clientErrorFrom(() => parse('batch', overLimit))).toMatchObject({ statusCode: 400, field: 'body' })
  })

  it('answers a pathologically deep body with a 400, not a stack overflow', () => {
    const depth = 200_000

    const error = clientErrorFrom(() => parse('batch', `${'['.repeat(depth)}${']'.repeat(depth)}`))

    expect(error).toMatchObject({ statusCode: 400, field: 'body' })
  })
})

describe('parseIngestBody prototype safety', () => {
  afterAll(() => {
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('drops __proto__, constructor and prototype keys before validation', () => {
    const body = `{"batch":[{"type":"track","event":"E","anonymousId":"v","__proto__":{"polluted":"yes"},
      "properties":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"kept":1}}]}`

    const [event] = parse('batch', body).events

    expect(event?.properties).toEqual({ kept: 1 })
    expect(Object.getPrototypeOf(event?.properties)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('drops them when spelled with \\u escapes too', () => {
    const body = String.raw`{"batch":[{"type":"track","event":"E","anonymousId":"v",
      "properties":{"\u005f_proto__":{"polluted":"yes"},"constructo\u0072":1,"kept":1}}]}`

    const [event] = parse('batch', body).events

    expect(event?.properties).toEqual({ kept: 1 })
    expect(Object.getPrototypeOf(event?.properties)).toBe(Object.prototype)
  })
})
