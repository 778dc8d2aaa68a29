import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import type { VendorMessage } from '#shared/delivery/message.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { HUBSPOT_GDPR_DELETE_PATH } from '#shared/vendors/hubspot/erase.ts'
import { BoundedList } from './bounded-list.ts'

const SECRET_QUERY_PARAMS = ['api_secret', 'access_token']
const SECRET_HEADERS = ['authorization']
const REDACTED = '[redacted]'
/** Entries kept per list unless TAGWARDEN_OUTBOX_ENTRIES says otherwise. */
export const DEFAULT_OUTBOX_ENTRIES = 1000

export interface RecordedRequest {
  at: string
  vendor: string
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
  /** False in a dry run (recorded, not sent); true when really sent to TAGWARDEN_VENDOR_BASE_URL. */
  sent: boolean
  status?: number
  events: Array<{ messageId: string; decision: DecisionRecord | undefined }>
}

export interface DeliveryOutcome {
  at: string
  vendor: string
  messageId: string
  /** The deliverer's outcome; `recorded` in a dry run, where nothing is sent. */
  outcome: OutcomeReport['outcome'] | 'recorded'
  reason: string
}

const DRY_RUN_REASON = 'dry run: recorded, not sent'

/**
 * What the local system did, for developers and tests (`GET /__tagwarden/outbox`): each consent decision
 * with its reason, each message queued or parked, and each vendor request with its secrets redacted.
 * Each list keeps its newest `entriesPerList` entries.
 */
export class Outbox {
  readonly decisions: BoundedList<DecisionRecord>
  readonly queued: BoundedList<VendorMessage>
  readonly parked: BoundedList<{ vendor: string; reason: string; message: unknown }>
  readonly requests: BoundedList<RecordedRequest>
  readonly deliveries: BoundedList<DeliveryOutcome>

  constructor(readonly entriesPerList = DEFAULT_OUTBOX_ENTRIES) {
    this.decisions = new BoundedList(entriesPerList)
    this.queued = new BoundedList(entriesPerList)
    this.parked = new BoundedList(entriesPerList)
    this.requests = new BoundedList(entriesPerList)
    this.deliveries = new BoundedList(entriesPerList)
  }

  recordRequest(
    request: {
      vendor: string
      method: string
      url: string
      headers: Record<string, string>
      body: string
      messageIds: string[]
    },
    result: { sent: boolean; status?: number },
  ): RecordedRequest {
    const recorded: RecordedRequest = {
      at: new Date().toISOString(),
      vendor: request.vendor,
      method: request.method,
      url: redactUrl(request.url),
      headers: redactHeaders(request.headers),
      body: redactErasure(request.url, redactFormSubmit(request.url, parseBody(request.body))),
      sent: result.sent,
      ...(result.status === undefined ? {} : { status: result.status }),
      events: request.messageIds.map((messageId) => ({
        messageId,
        decision: this.decisions.findLast(
          (entry) => entry.messageId === messageId && entry.vendor === request.vendor,
        ),
      })),
    }
    this.requests.push(recorded)
    return recorded
  }

  /** In a dry run the vendor's "answer" is the recording sender's own, so a delivery is reported as recorded. */
  recordDelivery(vendor: string, report: OutcomeReport, mode: { dryRun: boolean }): void {
    const recorded = mode.dryRun && report.outcome === 'delivered'
    this.deliveries.push({
      at: new Date().toISOString(),
      vendor,
      messageId: report.messageId,
      outcome: recorded ? 'recorded' : report.outcome,
      reason: recorded ? DRY_RUN_REASON : report.reason,
    })
  }

  toJSON() {
    return {
      decisions: this.decisions,
      queued: this.queued.toArray().map(redactFormMessage),
      requests: this.requests,
      deliveries: this.deliveries,
      parked: this.parked.toArray().map((entry) => ({ ...entry, message: redactFormMessage(entry.message) })),
      /** How many entries each list ever had; the lists above keep the newest `entriesPerList`. */
      totals: {
        decisions: this.decisions.total,
        queued: this.queued.total,
        requests: this.requests.total,
        deliveries: this.deliveries.total,
        parked: this.parked.total,
      },
      entriesPerList: this.entriesPerList,
    }
  }
}

export function redactUrl(url: string): string {
  const parsed = new URL(url)
  for (const name of SECRET_QUERY_PARAMS)
    if (parsed.searchParams.has(name)) parsed.searchParams.set(name, REDACTED)
  return parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED)
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      SECRET_HEADERS.includes(name.toLowerCase()) ? REDACTED : value,
    ]),
  )
}

const FORM_SUBMIT_PATH = '/submissions/v3/'

/**
 * HubSpot's GDPR delete names the contact by the e-mail an admin gave, and GA4's token request carries
 * a signed assertion that is as good as a token for an hour: neither is printed.
 */
function redactErasure(url: string, body: unknown): unknown {
  if (typeof body === 'string' && body.includes('assertion=')) {
    const form = new URLSearchParams(body)
    form.set('assertion', REDACTED)
    return form.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED)
  }
  if (new URL(url).pathname !== HUBSPOT_GDPR_DELETE_PATH || !isRecord(body)) return body
  return { ...body, objectId: REDACTED }
}

/** A Forms API submit carries what the visitor typed (an e-mail, a name): the print shows field names only. */
function redactFormSubmit(url: string, body: unknown): unknown {
  if (!new URL(url).pathname.startsWith(FORM_SUBMIT_PATH) || !isRecord(body) || !Array.isArray(body.fields))
    return body
  return {
    ...body,
    fields: body.fields.map((field: unknown) => (isRecord(field) ? { ...field, value: REDACTED } : REDACTED)),
  }
}

/** A queued HubSpot form submission with its typed values (and the visitor's hutk) blanked out. */
function redactFormMessage<M>(message: M): M {
  if (!isRecord(message) || !isRecord(message.payload) || message.payload.kind !== 'form') return message
  const { submission } = message.payload
  if (!isRecord(submission) || !isRecord(submission.values)) return message
  const values = Object.fromEntries(Object.keys(submission.values).map((name) => [name, REDACTED]))
  return { ...message, payload: { ...message.payload, submission: { ...submission, values } } }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}
