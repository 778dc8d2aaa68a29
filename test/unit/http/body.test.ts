import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodedBodyText } from '#shared/http/body.ts'
import { clientErrorFrom } from '../events/client-error.ts'

const LIMIT = 64 * 1024
const BOMB_BYTES = 50 * 1024 * 1024

const base64 = (bytes: Buffer) => bytes.toString('base64')
const decode = (bytes: Buffer, contentEncoding?: string, limit = LIMIT) =>
  decodedBodyText({ body: base64(bytes), isBase64Encoded: true, contentEncoding }, limit)

describe('decodedBodyText', () => {
  const json = JSON.stringify({
    type: 'track',
    event: 'Signed Up',
    properties: { plan: 'pro', note: 'ünïcødé' },
  })

  it('passes a plain text body through untouched', () => {
    expect(decodedBodyText({ body: json, isBase64Encoded: false }, LIMIT)).toBe(json)
  })

  it('undoes base64 for a body API Gateway encoded', () => {
    expect(decode(Buffer.from(json))).toBe(json)
  })

  it('inflates a gzip body (as @rudderstack/rudder-sdk-node sends it)', () => {
    expect(decode(gzipSync(json), 'gzip')).toBe(json)
  })

  it('inflates a zlib deflate body and a raw deflate body', () => {
    expect(decode(deflateSync(json), 'deflate')).toBe(json)
    expect(decode(deflateRawSync(json), 'deflate')).toBe(json)
  })

  it('reads the header case-insensitively and treats identity as no coding', () => {
    expect(decode(gzipSync(json), ' GZip ')).toBe(json)
    expect(decode(Buffer.from(json), 'identity')).toBe(json)
  })

  it('undoes stacked codings in reverse order of application', () => {
    expect(decode(gzipSync(deflateSync(json)), 'deflate, gzip')).toBe(json)
  })

  it('refuses an unknown coding with 415 naming content-encoding', () => {
    const error = clientErrorFrom(() => decode(Buffer.from(json), 'br'))
    expect(error.statusCode).toBe(415)
    expect(error.toJSON()).toEqual({ error: expect.stringContaining('"br"'), field: 'content-encoding' })
  })

  it('refuses a corrupt or truncated gzip body with 400 naming body', () => {
    const corrupt = clientErrorFrom(() => decode(Buffer.from('not gzip at all'), 'gzip'))
    const truncated = clientErrorFrom(() => decode(gzipSync(json).subarray(0, 12), 'gzip'))
    for (const error of [corrupt, truncated]) {
      expect(error.statusCode).toBe(400)
      expect(error.field).toBe('body')
    }
  })

  it('refuses a zip bomb (50 MB of zeros, 50 KB gzipped) with 413, using no more than the limit', () => {
    const bomb = gzipSync(Buffer.alloc(BOMB_BYTES))
    expect(bomb.byteLength).toBeLessThan(LIMIT)
    const heapBefore = process.memoryUsage().arrayBuffers
    const error = clientErrorFrom(() => decode(bomb, 'gzip'))
    const heapGrowth = process.memoryUsage().arrayBuffers - heapBefore
    expect(error.statusCode).toBe(413)
    expect(error.field).toBe('body')
    expect(heapGrowth).toBeLessThan(BOMB_BYTES / 10)
  })

  it('refuses a compressed body that is itself over the limit without inflating it', () => {
    const error = clientErrorFrom(() => decode(Buffer.alloc(LIMIT + 1), 'gzip'))
    expect(error.statusCode).toBe(413)
  })

  it('refuses inflated bytes that are not UTF-8 with 400 naming body', () => {
    const error = clientErrorFrom(() => decode(gzipSync(Buffer.from([0xff, 0xfe, 0xfd])), 'gzip'))
    expect(error.statusCode).toBe(400)
    expect(error.field).toBe('body')
  })

  it('requires a body', () => {
    expect(
      clientErrorFrom(() => decodedBodyText({ body: undefined, isBase64Encoded: false }, LIMIT)).field,
    ).toBe('body')
  })
})

describe('decodedBodyText properties', () => {
  const codings = fc.constantFrom(
    { name: 'gzip', encode: (bytes: Buffer) => gzipSync(bytes) },
    { name: 'deflate', encode: (bytes: Buffer) => deflateSync(bytes) },
  )

  it('round-trips any text whose UTF-8 fits the limit, in either coding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), codings, (text, coding) => {
        fc.pre(text.length > 0 && Buffer.byteLength(text) <= LIMIT)
        expect(decode(coding.encode(Buffer.from(text)), coding.name)).toBe(text)
      }),
    )
  })

  it('answers 413 for any body whose inflated size passes the limit, however well it compresses', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: LIMIT + 1, max: 4 * LIMIT }),
        fc.string({ minLength: 1, maxLength: 8 }),
        codings,
        (size, unit, coding) => {
          const text = unit.repeat(Math.ceil(size / Buffer.byteLength(unit))).slice(0, size)
          fc.pre(Buffer.byteLength(text) > LIMIT)
          const error = clientErrorFrom(() => decode(coding.encode(Buffer.from(text)), coding.name))
          expect(error.statusCode).toBe(413)
        },
      ),
      { numRuns: 40 },
    )
  })
})
