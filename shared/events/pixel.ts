import { type ClientError, PayloadTooLargeError, ValidationError } from '#shared/http/errors.ts'
import { MAX_EVENT_BYTES } from './limits.ts'
import { UNSAFE_KEYS } from './parse.ts'
import { fieldPath, type IncomingEvent, validateEvent } from './schema.ts'

/**
 * No-JavaScript tracking pixel: `GET /p.gif?<query>` always answers a 1×1 transparent GIF.
 *
 * | parameter   | meaning                                                             |
 * |-------------|---------------------------------------------------------------------|
 * | `k`         | write key of the site                                               |
 * | `t`         | event type: `page` (default) or `track`                             |
 * | `e`         | event name (required for `track`; the page name for `page`)         |
 * | `aid`       | anonymous visitor id (required)                                     |
 * | `mid`       | message id, kept for deduplication (generated when absent)          |
 * | `url`       | page URL                                                            |
 * | `title`     | page title                                                          |
 * | `ref`       | referrer                                                            |
 * | `p.<name>`  | event property `<name>`, value as a string                          |
 *
 * Values are URL-encoded; an empty value counts as absent. Example:
 * `/p.gif?k=WRITE_KEY&t=track&e=Signed%20Up&aid=4f2c…&p.plan=pro`
 */
export const PIXEL_GIF: Buffer = Buffer.from(
  [
    '474946383961', // GIF89a
    '01000100800000', // 1×1, a two-colour global table
    '000000ffffff', // the table: black, white
    '21f9040100000000', // graphic control: colour 0 is transparent
    '2c000000000100010000', // image descriptor: 1×1 at 0,0
    '0202440100', // LZW data: clear, pixel 0, end
    '3b', // trailer
  ].join(''),
  'hex',
)

export type PixelQuery = Record<string, string | undefined>

export type PixelParse =
  | { ok: true; writeKey: string | null; event: IncomingEvent }
  | { ok: false; error: ClientError }

const PIXEL_TYPES: ReadonlySet<string> = new Set(['page', 'track'])
const PROPERTY_PREFIX = 'p.'

/** Event fields as the pixel's query names them, so an error points at the parameter to fix. */
const PARAMETER_BY_FIELD: ReadonlyMap<string, string> = new Map([
  ['type', 't'],
  ['event', 'e'],
  ['name', 'e'],
  ['anonymousId', 'aid'],
  ['messageId', 'mid'],
  ['writeKey', 'k'],
  ['context.page.url', 'url'],
  ['context.page.title', 'title'],
  ['context.page.referrer', 'ref'],
])

/** Validates a pixel request like a JSON event. Never throws: the pixel answers a GIF either way. */
export function parsePixelQuery(query: PixelQuery): PixelParse {
  const value = (name: string) => query[name] || undefined
  const type = value('t') ?? 'page'
  if (!PIXEL_TYPES.has(type)) {
    return {
      ok: false,
      error: new ValidationError('t', 'unsupported event type: accepted types are page, track'),
    }
  }
  const raw = {
    type,
    [type === 'track' ? 'event' : 'name']: value('e'),
    anonymousId: value('aid'),
    messageId: value('mid'),
    writeKey: value('k'),
    properties: pixelProperties(query),
    context: { page: { url: value('url'), title: value('title'), referrer: value('ref') } },
  }
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') > MAX_EVENT_BYTES) {
    return { ok: false, error: new PayloadTooLargeError('query', MAX_EVENT_BYTES) }
  }
  const result = validateEvent(raw)
  if (!result.ok) {
    const field = fieldPath(result.path)
    return { ok: false, error: new ValidationError(PARAMETER_BY_FIELD.get(field) ?? 'query', result.message) }
  }
  return { ok: true, writeKey: result.event.writeKey ?? null, event: result.event }
}

function pixelProperties(query: PixelQuery): Record<string, string> {
  const properties: Record<string, string> = {}
  for (const [parameter, value] of Object.entries(query)) {
    if (!parameter.startsWith(PROPERTY_PREFIX) || value === undefined) continue
    const name = parameter.slice(PROPERTY_PREFIX.length)
    if (name !== '' && !UNSAFE_KEYS.has(name)) properties[name] = value
  }
  return properties
}
