import type { VendorRequest } from '#shared/delivery/http.ts'
import type { Queued, SendContext } from '../contract.ts'
import type { Ga4Credentials } from './credentials.ts'
import {
  BACKDATE_SAFETY_MS,
  GA4_MAX_BACKDATE_MS,
  GA4_MAX_BODY_BYTES,
  GA4_MAX_EVENTS_PER_REQUEST,
  MICROS_PER_MILLI,
} from './limits.ts'
import { byteLength, type Ga4Payload } from './payload.ts'
import type { Ga4Settings } from './settings.ts'

const GA4_HOSTS = {
  eu: 'https://region1.google-analytics.com',
  global: 'https://www.google-analytics.com',
} as const
const GA4_COLLECT_PATH = '/mp/collect'

/**
 * GA4 requests over the Measurement Protocol: a visitor's events batched, ≤ 25 per request and < 130 kB,
 * each kept inside GA4's 72 h window as GA4 sees it at send time.
 */
export function ga4Requests(
  messages: ReadonlyArray<Queued<Ga4Payload>>,
  context: SendContext<Ga4Settings, Ga4Credentials>,
): VendorRequest[] {
  const { settings, credentials } = context
  const origin = context.baseUrl ? new URL(context.baseUrl).origin : GA4_HOSTS[settings.endpoint]
  const query = new URLSearchParams({
    measurement_id: settings.measurementId,
    api_secret: credentials.apiSecret,
  })
  const url = `${origin}${GA4_COLLECT_PATH}?${query}`
  return groupByRequestFields(messages).flatMap((group) =>
    packEvents(group, context.now).map((batch) => ({
      vendor: 'ga4' as const,
      method: 'POST' as const,
      url,
      headers: { 'content-type': 'application/json' },
      body: batch.body,
      messageIds: batch.messageIds,
    })),
  )
}

/** Ad signals denied: the visitor withdrew marketing after the event was queued. */
export function withAdSignalsDenied(payload: Ga4Payload): Ga4Payload {
  return {
    ...payload,
    consent: { ad_user_data: 'DENIED', ad_personalization: 'DENIED' },
    non_personalized_ads: true,
  }
}

type QueuedGa4 = Queued<Ga4Payload>

/** Events can share a request only when everything outside `events` is identical. */
function groupByRequestFields(messages: ReadonlyArray<QueuedGa4>): QueuedGa4[][] {
  const groups = new Map<string, QueuedGa4[]>()
  for (const message of messages) {
    const { client_id, consent, non_personalized_ads, ip_override, device } = message.payload
    const key = JSON.stringify([
      client_id,
      consent.ad_user_data,
      consent.ad_personalization,
      non_personalized_ads,
      ip_override ?? null,
      device?.category ?? null,
      device?.browser ?? null,
      device?.operating_system ?? null,
    ])
    const group = groups.get(key)
    if (group) group.push(message)
    else groups.set(key, [message])
  }
  return [...groups.values()]
}

type Ga4Event = Ga4Payload['event']

/** Splits one group into request bodies within GA4's event count and size limits. */
function packEvents(
  group: ReadonlyArray<QueuedGa4>,
  sendTime: Date,
): Array<{ body: string; messageIds: string[] }> {
  const first = group[0]
  if (!first) return []
  const { event: _event, ...requestFields } = first.payload
  const emptyBodyBytes = byteLength(JSON.stringify({ ...requestFields, events: [] }))
  const batches: Array<{ events: Ga4Event[]; messageIds: string[]; bytes: number }> = []
  for (const { messageId, payload } of group) {
    const event = {
      ...payload.event,
      timestamp_micros: clampMicros(payload.event.timestamp_micros, sendTime),
    }
    const eventBytes = byteLength(JSON.stringify(event))
    const current = batches.at(-1)
    // JSON.stringify joins array items with one comma, so the body size is known without re-serialising.
    const fits =
      current !== undefined &&
      current.events.length < GA4_MAX_EVENTS_PER_REQUEST &&
      current.bytes + 1 + eventBytes < GA4_MAX_BODY_BYTES
    if (current && fits) {
      current.events.push(event)
      current.messageIds.push(messageId)
      current.bytes += 1 + eventBytes
    } else {
      batches.push({ events: [event], messageIds: [messageId], bytes: emptyBodyBytes + eventBytes })
    }
  }
  return batches.map((batch) => ({
    body: JSON.stringify({ ...requestFields, events: batch.events }),
    messageIds: batch.messageIds,
  }))
}

/** A queued event may have waited; keep it inside the window as GA4 sees it at send time. */
function clampMicros(timestampMicros: number, sendTime: Date): number {
  const nowMicros = sendTime.getTime() * MICROS_PER_MILLI
  const oldestMicros = (sendTime.getTime() - GA4_MAX_BACKDATE_MS + BACKDATE_SAFETY_MS) * MICROS_PER_MILLI
  return Math.min(nowMicros, Math.max(oldestMicros, timestampMicros))
}
