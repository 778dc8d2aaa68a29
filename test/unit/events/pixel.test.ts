import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_EVENT_BYTES } from '#shared/events/limits.ts'
import { PIXEL_GIF, type PixelParse, parsePixelQuery } from '#shared/events/pixel.ts'
import { ClientError } from '#shared/http/errors.ts'

const accepted = (parse: PixelParse) => {
  if (!parse.ok) throw new Error(`expected an accepted pixel, got ${parse.error.message}`)
  return parse
}
const rejected = (parse: PixelParse) => {
  if (parse.ok) throw new Error('expected a rejected pixel')
  return parse.error
}

describe('parsePixelQuery', () => {
  it('reads a page view with its page facts and properties', () => {
    const { writeKey, event } = accepted(
      parsePixelQuery({
        k: 'site-key',
        aid: 'visitor-1',
        mid: 'pixel-msg-1',
        e: 'Newsletter',
        url: 'https://www.example.com/news',
        title: 'News',
        ref: 'https://mail.example/',
        'p.campaign': 'may',
        'p.issue': '12',
      }),
    )

    expect(writeKey).toBe('site-key')
    expect(event).toMatchObject({
      type: 'page',
      messageId: 'pixel-msg-1',
      anonymousId: 'visitor-1',
      name: 'Newsletter',
      properties: { campaign: 'may', issue: '12' },
      context: {
        page: { url: 'https://www.example.com/news', title: 'News', referrer: 'https://mail.example/' },
      },
    })
  })

  it('reads a track event when t=track', () => {
    const { event } = accepted(parsePixelQuery({ t: 'track', e: 'Email Opened', aid: 'v' }))

    expect(event).toMatchObject({ type: 'track', event: 'Email Opened' })
  })

  it('returns a null write key when k is missing or empty', () => {
    expect(accepted(parsePixelQuery({ aid: 'v', k: '' })).writeKey).toBeNull()
  })

  it.each([
    ['an unsupported type', { t: 'identify', aid: 'v' }, 't'],
    ['a track without e', { t: 'track', aid: 'v' }, 'e'],
    ['no visitor id', { e: 'x' }, 'aid'],
    ['an empty visitor id', { aid: '' }, 'aid'],
    ['an over-long message id', { aid: 'v', mid: 'm'.repeat(101) }, 'mid'],
  ])('rejects %s naming the query parameter %s', (_case, query, field) => {
    expect(rejected(parsePixelQuery(query))).toMatchObject({ statusCode: 400, field })
  })

  it('rejects a query whose event would exceed MAX_EVENT_BYTES with 413', () => {
    const error = rejected(parsePixelQuery({ aid: 'v', 'p.big': 'x'.repeat(MAX_EVENT_BYTES) }))

    expect(error).toMatchObject({ statusCode: 413, field: 'query' })
  })

  it('ignores prototype-polluting property names', () => {
    const { event } = accepted(
      parsePixelQuery({ aid: 'v', 'p.__proto__': 'x', 'p.constructor': 'y', 'p.ok': 'z' }),
    )

    expect(event.properties).toEqual({ ok: 'z' })
    expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype)
  })

  it('never throws, whatever the query', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(fc.constantFrom('k', 't', 'e', 'aid', 'mid', 'url', 'p.x'), fc.string()),
          fc.option(fc.string(), { nil: undefined }),
        ),
        (query) => {
          const parse = parsePixelQuery(query)

          if (!parse.ok) {
            expect(parse.error).toBeInstanceOf(ClientError)
            expect([400, 413]).toContain(parse.error.statusCode)
          }
        },
      ),
    )
  })
})

describe('PIXEL_GIF', () => {
  it('is a 43-byte GIF89a of 1×1 pixel', () => {
    expect(PIXEL_GIF).toHaveLength(43)
    expect(PIXEL_GIF.subarray(0, 6).toString('ascii')).toBe('GIF89a')
    expect(PIXEL_GIF.readUInt16LE(6)).toBe(1)
    expect(PIXEL_GIF.readUInt16LE(8)).toBe(1)
    expect(PIXEL_GIF.at(-1)).toBe(0x3b)
  })

  it('marks its only pixel colour as transparent', () => {
    const graphicControl = PIXEL_GIF.indexOf(Buffer.from([0x21, 0xf9, 0x04]))
    const transparentIndex = PIXEL_GIF.readUInt8(graphicControl + 6)
    const imageData = PIXEL_GIF.indexOf(Buffer.from([0x2c]), graphicControl)

    expect(graphicControl).toBeGreaterThan(0)
    expect(PIXEL_GIF.readUInt8(graphicControl + 3) & 0x01).toBe(1)
    expect(transparentIndex).toBe(0)
    expect(imageData).toBeGreaterThan(graphicControl)
  })
  it('encodes exactly one pixel, in the transparent colour', () => {
    const descriptor = PIXEL_GIF.indexOf(Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0]))
    const minimumCodeSize = PIXEL_GIF.readUInt8(descriptor + 10)
    const blockLength = PIXEL_GIF.readUInt8(descriptor + 11)
    const bits = PIXEL_GIF.readUIntLE(descriptor + 12, blockLength)
    const codeSize = minimumCodeSize + 1

    const codes = [0, 1, 2].map((index) => (bits >> (index * codeSize)) & ((1 << codeSize) - 1))

    expect(codes).toEqual([4, 0, 5]) // clear, colour 0, end of information
    expect(PIXEL_GIF.readUInt8(descriptor + 12 + blockLength)).toBe(0)
  })
})
