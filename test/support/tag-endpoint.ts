import { readFileSync } from 'node:fs'
import { type CapturedRequest, type CaptureServer, startCaptureServer } from './capture-server.ts'
import { eventually } from './eventually.ts'

/** The visitor reference the stand-in answers a consent with, as the real one would while analytics is allowed. */
export const TEST_REF = 'r1.test'
const CONSENT_LIFETIME_MS = 395 * 24 * 60 * 60 * 1000

export interface TagEndpoint extends CaptureServer {
  /** Every request except loading the tag and CORS preflights: what the tag itself sent. */
  sent(): CapturedRequest[]
  /** Waits until the tag has sent a request that `matches`. */
  nextSent(matches: (request: CapturedRequest) => boolean): Promise<CapturedRequest>
}

/**
 * The tag's first-party endpoint on loopback: serves `/tag.js`, answers `PUT /v1/consent` with the
 * purposes and a ref, takes batches, allows the page's origin with credentials, and records everything.
 */
export async function startTagEndpoint(tagCode: () => string): Promise<TagEndpoint> {
  const capture = await startCaptureServer({
    respond: (request) => {
      const origin = request.headers.origin
      const cors: Record<string, string> = origin
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-credentials': 'true',
            'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
            'access-control-allow-headers': 'content-type',
          }
        : {}
      if (request.method === 'GET' && request.path === '/tag.js') {
        return { status: 200, body: tagCode(), headers: { 'content-type': 'application/javascript' } }
      }
      if (request.method === 'OPTIONS') return { status: 204, headers: cors }
      const json = { ...cors, 'content-type': 'application/json' }
      if (request.method === 'PUT' && request.path === '/v1/consent') {
        const { purposes } = JSON.parse(request.body)
        const ref = purposes?.analytics === true ? { ref: TEST_REF } : {}
        // As the real answer: the consent's expiry, after which the tag forgets the kept decision.
        const expiresAt = new Date(Date.now() + CONSENT_LIFETIME_MS).toISOString()
        return { status: 200, headers: json, body: JSON.stringify({ purposes, expiresAt, ...ref }) }
      }
      return { status: 200, headers: json, body: '{"success":true}' }
    },
  })
  const sent = () =>
    capture.requests.filter((request) => request.method !== 'OPTIONS' && request.path !== '/tag.js')
  return {
    ...capture,
    sent,
    nextSent: (matches) => eventually(() => sent().find(matches)),
  }
}

export interface SentBatch {
  writeKey: string
  sentAt: string
  context: { consent: { analytics: boolean; marketing: boolean } }
  batch: Array<{
    type: string
    messageId: string
    timestamp: string
    anonymousId?: string
    event?: string
    properties?: Record<string, unknown>
    traits?: Record<string, unknown>
    context: { page: { url: string; path: string; title: string; referrer: string }; locale?: string }
  }>
}

/** A captured batch's body (the test reads it; the collector's own parser is tested elsewhere). */
export const batchOf = (request: CapturedRequest): SentBatch => JSON.parse(request.body)

export const isBatch = (request: CapturedRequest) => request.method === 'POST' && request.path === '/v1/batch'
export const isConsent = (request: CapturedRequest) =>
  request.method === 'PUT' && request.path === '/v1/consent'

/** The README's tag snippet exactly as written, pointed at `endpoint` with `writeKey`. */
export function readmeTagSnippet(endpoint: string, writeKey: string): string {
  const section = readFileSync('README.md', 'utf8').split('## First-party tag')[1] ?? ''
  const code = /```html\n([^`]*)```/.exec(section)?.[1]
  if (!code) throw new Error('README has no tag snippet under "First-party tag"')
  return code.replaceAll('https://t.example.com', endpoint).replaceAll('YOUR_WRITE_KEY', writeKey)
}

/** A page's Google Consent Mode set-up before any decision: everything denied by default. */
export const CONSENT_MODE_DEFAULT_DENIED = `<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}
gtag('consent','default',{analytics_storage:'denied',ad_user_data:'denied',ad_personalization:'denied'})</script>`
