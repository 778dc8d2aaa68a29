import { gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib'
import { ClientError, PayloadTooLargeError, ValidationError } from './errors.ts'

/** A request body as API Gateway (payload format 2.0) hands it to the function. */
export interface EncodedBody {
  body: string | undefined
  isBase64Encoded: boolean
  /** The `Content-Encoding` request header, if any. */
  contentEncoding?: string | undefined
}

export class UnsupportedEncodingError extends ClientError {
  override name = 'UnsupportedEncodingError'
  constructor(encoding: string) {
    super(
      415,
      `content-encoding "${encoding}" is not supported (use gzip, deflate or none)`,
      'content-encoding',
    )
  }
}

type Inflate = (input: Buffer, options: ZlibOptions) => Buffer

/** `deflate` is zlib-wrapped by the standard (RFC 9110), but some clients send raw deflate. */
const inflateEither: Inflate = (input, options) => {
  try {
    return inflateSync(input, options)
  } catch (error) {
    if (isCode(error, 'Z_DATA_ERROR')) return inflateRawSync(input, options)
    throw error
  }
}

const DECODERS: Readonly<Record<string, Inflate>> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateEither,
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The request body as text: base64 undone, then each `Content-Encoding` undone (last applied first).
 * `maxBytes` bounds the body at every stage, and inflation stops as soon as its output passes the
 * bound, so a small zip bomb costs at most `maxBytes` of memory, never its inflated size.
 * Throws ValidationError (400, `body`), PayloadTooLargeError (413, `body`) or 415 (`content-encoding`).
 */
export function decodedBodyText(request: EncodedBody, maxBytes: number): string {
  const { body } = request
  if (!body) throw new ValidationError('body', 'request body is required')
  const encodings = contentCodings(request.contentEncoding)
  if (!request.isBase64Encoded && encodings.length === 0) {
    if (Buffer.byteLength(body, 'utf8') > maxBytes) throw new PayloadTooLargeError('body', maxBytes)
    return body
  }
  let bytes: Buffer = request.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8')
  if (bytes.byteLength > maxBytes) throw new PayloadTooLargeError('body', maxBytes)
  for (const encoding of [...encodings].reverse()) bytes = inflated(bytes, encoding, maxBytes)
  try {
    return utf8.decode(bytes)
  } catch {
    throw new ValidationError('body', 'request body is not valid UTF-8')
  }
}

/** The codings of a Content-Encoding header in the order they were applied; `identity` is none. */
function contentCodings(header: string | undefined): string[] {
  if (!header) return []
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  for (const coding of codings)
    if (!Object.hasOwn(DECODERS, coding)) throw new UnsupportedEncodingError(coding)
  return codings
}

function inflated(input: Buffer, encoding: string, maxBytes: number): Buffer {
  const inflate = DECODERS[encoding]
  if (!inflate) throw new UnsupportedEncodingError(encoding)
  try {
    // maxOutputLength makes zlib stop and throw once its output would pass the limit.
    return inflate(input, { maxOutputLength: maxBytes })
  } catch (error) {
    if (error instanceof RangeError || isCode(error, 'ERR_BUFFER_TOO_LARGE'))
      throw new PayloadTooLargeError('body', maxBytes)
    throw new ValidationError('body', `request body is not valid ${encoding} data`)
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code
}
