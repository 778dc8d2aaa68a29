import { bridgeConsentMode } from './consent-mode.ts'
import type { Properties, Purposes, TagEvent } from './types.ts'

/** Events held before the visitor decides; the oldest are dropped beyond this. */
const MAX_HELD = 30
/** Events per request: a beacon must stay well under the browsers' 64 KB. */
const MAX_PER_BATCH = 20
/** Calls close together leave in one request. */
const BATCH_DELAY_MS = 500
/** The decision, kept only once the visitor has made one (ePrivacy: needed to honour the choice). */
const DECISION_KEY = 'tw'

interface Decision extends Purposes {
  ref?: string
  /** When the stored consent expires (ISO 8601, from the answer); the kept decision lapses with it. */
  e?: string
}

type Call = [string, ArrayLike<unknown>]

const w = window as unknown as { tagwarden?: { q?: Call[] } | Record<string, unknown> }
const d = document
const nav = navigator as Navigator & { globalPrivacyControl?: boolean }
const script = d.currentScript as HTMLScriptElement | null
const writeKey = script?.dataset.writeKey
// The endpoint serves the tag too: `/tag.js` or `/tag/{version}/tag.js`, under any stage prefix.
const endpoint = (script?.src || '').replace(/\/(tag\/[\w-]+\/)?tag\.js([?#].*)?$/, '')
const gpc = nav.globalPrivacyControl === true

let decision: Decision | undefined
let recording = false
let held: TagEvent[] = []
let queue: TagEvent[] = []
let timer: ReturnType<typeof setTimeout> | undefined
let lastUrl = ''
let referrer = d.referrer

const id = () => Date.now().toString(36) + Math.random().toString(36).slice(2)
const allows = (purposes?: Purposes) => !!purposes && (purposes.analytics || purposes.marketing)

function stored(): Decision | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(DECISION_KEY) || 'null')
    // A decision past its consent's expiry is not renewed silently: the banner must ask again.
    return value && typeof value.analytics === 'boolean' && value.e > new Date().toISOString()
      ? value
      : undefined
  } catch {
    return undefined
  }
}

function keep(value: Decision) {
  try {
    localStorage.setItem(DECISION_KEY, JSON.stringify(value))
  } catch {}
}

function record(type: TagEvent['type'], fields: Partial<TagEvent>) {
  const { href, pathname } = location
  const event: TagEvent = {
    type,
    messageId: id(),
    timestamp: new Date().toISOString(),
    ...fields,
    context: { page: { url: href, path: pathname, title: d.title, referrer }, locale: nav.language },
  }
  if (!decision) {
    held.push(event)
    if (held.length > MAX_HELD) held.shift()
  } else if (allows(decision)) {
    queue.push(event)
    schedule()
  }
}

function schedule() {
  if (recording && !timer) timer = setTimeout(() => flush(false), BATCH_DELAY_MS)
}

function flush(leaving: boolean) {
  clearTimeout(timer)
  timer = undefined
  if (!recording) return
  while (queue.length) {
    const body = JSON.stringify({
      writeKey,
      batch: queue.splice(0, MAX_PER_BATCH),
      sentAt: new Date().toISOString(),
      // Merged into every event: the decision (GPC already applied) narrows what the server forwards.
      context: { consent: { analytics: decision?.analytics, marketing: decision?.marketing } },
    })
    const url = `${endpoint}/v1/batch`
    // text/plain keeps both a CORS-simple request: no preflight, and a beacon may carry it.
    if (!(leaving && nav.sendBeacon(url, new Blob([body], { type: 'text/plain' })))) {
      fetch(url, { method: 'POST', body, credentials: 'include', keepalive: true }).catch(() => {})
    }
  }
}

function consent(purposes: Purposes) {
  const next: Decision = { analytics: !!purposes.analytics, marketing: !!purposes.marketing && !gpc }
  decision = next
  const events = held
  held = []
  // Recorded again even when unchanged (the server adds no history then): the answer renews the
  // cookies, and sets them anew when they have gone (expired, cleared) while this page kept the decision.
  recording = false
  if (!allows(next)) queue = []
  else queue.push(...events)
  fetch(`${endpoint}/v1/consent`, {
    method: 'PUT',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ writeKey, purposes: { analytics: next.analytics, marketing: next.marketing } }),
  })
    .then((response) => response.json())
    .then((answer: { ref?: unknown; expiresAt?: string }) => {
      if (next.analytics && typeof answer.ref === 'string') next.ref = answer.ref
      next.e = answer.expiresAt
    })
    .catch(() => {})
    .then(() => {
      if (decision !== next) return
      keep(next)
      api.ref = next.ref
      // Sent only now: the answer set the visitor cookie the events are attributed by.
      recording = allows(next)
      schedule()
    })
}

function page() {
  record('page', { properties: {} })
  referrer = location.href
  lastUrl = location.href
}

function navigated() {
  if (location.href !== lastUrl) page()
}

const api = {
  ref: undefined as string | undefined,
  consent,
  page,
  track: (event: string, properties?: Properties) => record('track', { event, properties: properties || {} }),
  identify: (traits?: Properties) => record('identify', { traits: traits || {} }),
  /** A Calendly (or any) scheduling link carrying this visitor's reference, so a booking links back. */
  calendlyUrl(link: string) {
    const url = new URL(link, location.href)
    if (api.ref) url.searchParams.set('utm_content', api.ref)
    return url.href
  },
}

const early = w.tagwarden && Array.isArray(w.tagwarden.q) ? w.tagwarden.q : []
w.tagwarden = api

const remembered = stored()
if (remembered) {
  api.ref = remembered.ref
  // Recorded again on every page: the answer renews the cookies the events are attributed by, and
  // sets them anew if they have gone while this browser kept the decision.
  consent(remembered)
}

for (const method of ['pushState', 'replaceState'] as const) {
  const original = history[method]
  history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
    original.apply(this, args)
    navigated()
  }
}
addEventListener('popstate', navigated)
addEventListener('pagehide', () => flush(true))
d.addEventListener('visibilitychange', () => d.visibilityState === 'hidden' && flush(true))

page()
for (const [method, args] of early) {
  const call = (api as unknown as Record<string, (...values: unknown[]) => void>)[method]
  if (typeof call === 'function') call(...Array.from(args))
}
bridgeConsentMode(consent)
