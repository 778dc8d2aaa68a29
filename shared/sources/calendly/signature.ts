import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header Calendly signs each delivery with (vendors.md §5.3); API Gateway lowercases header names. */
export const SIGNATURE_HEADER = 'calendly-webhook-signature'
/** vendors.md §5.4 rule 3: a signature older or newer than this is a replay. */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 180
/** Far above `t=<10 digits>,v1=<64 hex>` with a few keys beside it; longer headers are not parsed. */
export const MAX_SIGNATURE_HEADER_CHARS = 1024
/** Calendly signs with one key; more `v1` values than this in one header are refused. */
const MAX_V1_VALUES = 8
const TIMESTAMP = /^\d{10}$/
const HEX_SIGNATURE = /^[a-f0-9]{64}$/
const MILLISECONDS_PER_SECOND = 1000

export interface ParsedSignature {
  /** Unix seconds, as signed. */
  t: string
  v1: string[]
}

export type SignatureCheck = { ok: true } | { ok: false; field: string; reason: string }

/**
 * `t=<unix-seconds>,v1=<hex>[,v1=…]` as comma-separated `k=v` pairs (vendors.md §5.4 rule 2): exactly one
 * `t` of ten digits, at least one `v1` of 64 lowercase hex digits, unknown keys ignored. Never throws;
 * one pass over at most MAX_SIGNATURE_HEADER_CHARS characters.
 */
export function parseSignatureHeader(header: string): ParsedSignature | { error: string; field: string } {
  if (header.length > MAX_SIGNATURE_HEADER_CHARS)
    return { field: SIGNATURE_HEADER, error: `is longer than ${MAX_SIGNATURE_HEADER_CHARS} characters` }
  const stamps: string[] = []
  const v1: string[] = []
  for (const pair of header.split(',')) {
    const equals = pair.indexOf('=')
    if (equals < 0) continue
    const key = pair.slice(0, equals).trim()
    const value = pair.slice(equals + 1).trim()
    if (key === 't') stamps.push(value)
    else if (key === 'v1') v1.push(value)
  }
  const [t] = stamps
  if (stamps.length !== 1 || t === undefined || !TIMESTAMP.test(t))
    return { field: `${SIGNATURE_HEADER}.t`, error: 'needs exactly one t of ten digits (unix seconds)' }
  if (v1.length === 0 || v1.length > MAX_V1_VALUES || !v1.every((value) => HEX_SIGNATURE.test(value)))
    return {
      field: `${SIGNATURE_HEADER}.v1`,
      error: `needs one to ${MAX_V1_VALUES} v1 values of 64 lowercase hex digits`,
    }
  return { t, v1 }
}

/** hex(HMAC-SHA256(key, t + "." + rawBody)), over the raw body bytes (vendors.md §5.3). */
export function calendlySignature(signingKey: string, t: string, rawBody: Uint8Array): string {
  return createHmac('sha256', signingKey).update(`${t}.`).update(rawBody).digest('hex')
}

/**
 * vendors.md §5.4 rules 1–4: a header, well formed, `|now − t|` within the window, and at least one `v1`
 * equal to the expected signature under a constant-time compare (every `v1` is compared, found or not).
 */
export function verifyCalendlySignature(input: {
  header: string | undefined
  rawBody: Uint8Array
  signingKey: string
  now: Date
  replayWindowSeconds?: number | undefined
}): SignatureCheck {
  if (input.header === undefined || input.header === '')
    return { ok: false, field: SIGNATURE_HEADER, reason: 'is missing' }
  const parsed = parseSignatureHeader(input.header)
  if ('error' in parsed) return { ok: false, field: parsed.field, reason: parsed.error }
  const window = input.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS
  const ageSeconds = Math.abs(input.now.getTime() / MILLISECONDS_PER_SECOND - Number(parsed.t))
  if (ageSeconds > window)
    return { ok: false, field: `${SIGNATURE_HEADER}.t`, reason: `is more than ${window} s from now` }
  const expected = Buffer.from(calendlySignature(input.signingKey, parsed.t, input.rawBody), 'hex')
  let matched = false
  for (const candidate of parsed.v1) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true
  }
  return matched ? { ok: true } : { ok: false, field: `${SIGNATURE_HEADER}.v1`, reason: 'does not match' }
}
