import { decide, optedInFor, type VendorPolicy } from '#shared/consent/decide.ts'
import type { ConsentRecord } from '#shared/consent/model.ts'
import type { ConsentStore } from '#shared/consent/store.ts'
import { EVERY_VERSION_COVERS_ALL, type PolicyCoverage } from '#shared/policy/coverage.ts'
import type { RightsState } from '#shared/rights/api.ts'
import type { RightsStore } from '#shared/rights/store.ts'
import type { VendorAdapter } from '#shared/vendors/adapter.ts'
import type { Outcome } from '#shared/vendors/contract.ts'
import { deliverErasure, type ErasureDeliveryDeps } from './deliver-erasure.ts'
import type { HttpSender, VendorRequest, VendorResponse } from './http.ts'
import {
  type DeadLetters,
  type ErasureMessage,
  isErasureMessage,
  type QueueMessage,
  type VendorMessage,
} from './message.ts'
import { parseQueueMessage } from './message-schema.ts'
import type { Redelivery } from './redelivery.ts'
import { retryDelaySeconds } from './retry-schedule.ts'

/** What became of one message in this batch; `retry` means its record is reported failed to SQS. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'parked' | 'withheld'
export interface OutcomeReport {
  messageId: string
  outcome: DeliveryOutcome
  reason: string
}

/** The vendor as it stands for one batch: bound to its settings and credentials, with its consent policy. */
export interface DeliveryBinding<P> {
  adapter: VendorAdapter<P>
  policy: VendorPolicy
}

export interface DeliverDeps<P> {
  /** Read once per batch, so a vendor switched off (or re-configured) is seen from the next batch on. */
  binding: () => DeliveryBinding<P> | Promise<DeliveryBinding<P>>
  consent: ConsentStore
  /**
   * Restriction and objections, checked again at send time with the consent, so queued events are
   * withheld once the visitor restricts or objects. Absent: none is ever set (every composition passes it).
   */
  rights?: Pick<RightsStore, 'read'>
  /** What each policy version covers, read once per batch. Absent: every version covers everything. */
  policyCoverage?: () => Promise<PolicyCoverage>
  sender: HttpSender
  deadLetters: DeadLetters
  /** Sets when each failed record comes back; absent, the queue's visibility timeout applies. */
  redelivery?: Redelivery
  /** In [0, 1), for the backoff's jitter (Math.random when absent). */
  random?: () => number
  now: () => Date
  onOutcome?: (report: OutcomeReport) => void
  /**
   * Every outcome of the batch, once it is settled (before the batch answers), with the readable
   * messages by messageId (for the delivery ledger); must not reject.
   */
  onBatch?: (
    reports: ReadonlyArray<OutcomeReport>,
    messages: ReadonlyMap<string, VendorMessage>,
  ) => void | Promise<void>
  /** Erasures (issue 10): erased visitors' events are withheld; erase requests are sent. */
  erasures?: ErasureDeliveryDeps
}

/** One queue record: SQS's id for it (what a partial batch failure names) and its body. */
export interface QueueRecord {
  recordId: string
  body: string
  /** This receive's handle, needed to change when the record is received again. */
  receiptHandle?: string
  /** SQS's ApproximateReceiveCount: 1 on the first receive. */
  receiveCount?: number
}

/** Characters of a vendor's error answer quoted in a dead-letter reason. */
const MAX_QUOTED_RESPONSE_CHARS = 200
/** An unreadable body is parked as it came, cut so the dead-letter message stays within SQS limits. */
const MAX_UNREADABLE_BODY_CHARS = 200 * 1024

/** The records that share one messageId (SQS delivers at least once): sent once, settled together. */
interface Delivery<M extends QueueMessage = VendorMessage> {
  message: M
  recordIds: string[]
}

/**
 * Delivers one batch of a vendor's queue. Consent is checked again at send time, so a revocation stops
 * queued events (withheld, not failed). What cannot succeed by retrying (unreadable body, invalid
 * payload, a 4xx answer) is parked in the dead-letter queue with its reason; what might (network error,
 * timeout, 5xx, 429, consent store trouble) is returned as failed records for SQS to retry.
 */
export async function deliverRecords<P>(
  records: ReadonlyArray<QueueRecord>,
  deps: DeliverDeps<P>,
): Promise<{ failedRecordIds: string[] }> {
  const [{ adapter, policy }, coverage] = await Promise.all([
    deps.binding(),
    deps.policyCoverage ? deps.policyCoverage() : EVERY_VERSION_COVERS_ALL,
  ])
  const now = deps.now()
  if (policy.id !== adapter.id)
    throw new Error(`policy for ${policy.id} given to the ${adapter.id} deliverer`)

  const retries: Retry[] = []
  const reports: OutcomeReport[] = []
  const report = (messageId: string, outcome: DeliveryOutcome, reason: string) => {
    const outcomeReport = { messageId, outcome, reason }
    reports.push(outcomeReport)
    deps.onOutcome?.(outcomeReport)
  }
  const retry = (delivery: Delivery<QueueMessage>, reason: string, retryAfterSeconds?: number) => {
    retries.push({ delivery, reason, retryAfterSeconds })
  }
  const park = async (delivery: Delivery<QueueMessage>, reason: string) => {
    try {
      await deps.deadLetters.park(delivery.message, reason)
      report(delivery.message.messageId, 'parked', reason)
    } catch (error) {
      retry(delivery, `could not park (${reason}): ${describeError(error)}`)
    }
  }

  const { deliveries, erasures, unreadable } = readRecords(records, adapter.id, now)
  const parkings = unreadable.map(({ delivery, reason }) => park(delivery, reason))
  const receiveCounts = new Map(records.map((record) => [record.recordId, record.receiveCount ?? 1]))
  for (const delivery of erasures) {
    if (!deps.erasures) {
      parkings.push(park(delivery, `the ${adapter.id} deliverer is not wired for erasure requests`))
      continue
    }
    const receiveCount = Math.max(...delivery.recordIds.map((id) => receiveCounts.get(id) ?? 1))
    const { messageId } = delivery.message
    const erasing = { adapter, sender: deps.sender, erasures: deps.erasures, now: deps.now }
    parkings.push(
      deliverErasure(delivery.message, receiveCount, erasing, {
        delivered: (reason) => report(messageId, 'delivered', reason),
        retry: (reason, retryAfterSeconds) => retry(delivery, reason, retryAfterSeconds),
        park: (message, reason) => park({ ...delivery, message }, reason),
      }),
    )
  }

  const storedConsent = lookUpStanding(deliveries, deps, now)
  const tombstones = lookUpTombstones(deliveries, deps.erasures, now)
  const permitted: Array<{ delivery: Delivery; payload: P }> = []
  for (const delivery of deliveries) {
    const { message } = delivery
    // Erasure comes before every other rule: an erased visitor's queued events go nowhere.
    const erased = await tombstones.get(message.consentKey)
    if (erased?.status === 'rejected') {
      retry(delivery, `erasure lookup failed: ${describeError(erased.reason)}`)
      continue
    }
    if (erased?.value) {
      report(message.messageId, 'withheld', 'the visitor erased their data')
      continue
    }
    const stored = await storedConsent.get(message.consentKey)
    if (!stored || stored.status === 'rejected') {
      retry(delivery, `consent lookup failed: ${describeError(stored?.reason)}`)
      continue
    }
    const facts = {
      stored: stored.value.consent,
      rights: stored.value.rights,
      event: {
        type: message.recheck.eventType,
        consent: message.recheck.eventConsent,
        ...(message.recheck.requestedByVisitor ? { requestedByVisitor: true as const } : {}),
        ...(message.recheck.anonymousStatistic ? { anonymousStatistic: true as const } : {}),
      },
      gpc: message.recheck.gpc,
    }
    const decision = decide({ vendor: policy, ...facts, coverage })
    if (!decision.allow) {
      report(message.messageId, 'withheld', decision.reason)
      continue
    }
    const payload = adapter.parsePayload(message.payload)
    if (payload === null) {
      parkings.push(park(delivery, `invalid ${adapter.id} payload`))
      continue
    }
    const unsendable = adapter.unsendable?.(payload, now) ?? null
    if (unsendable !== null) {
      parkings.push(park(delivery, unsendable))
      continue
    }
    const narrowed =
      adapter.narrow?.(payload, (purpose) => optedInFor(adapter.id, purpose, facts, coverage)) ?? payload
    permitted.push({ delivery, payload: narrowed })
  }

  const byMessageId = new Map(permitted.map(({ delivery }) => [delivery.message.messageId, delivery]))
  const requests =
    permitted.length === 0
      ? []
      : adapter.buildRequests(
          permitted.map(({ delivery, payload }) => ({ messageId: delivery.message.messageId, payload })),
        )

  const send = async (request: VendorRequest) => {
    const carried = request.messageIds.flatMap((id) => byMessageId.get(id) ?? [])
    let response: VendorResponse
    try {
      response = await deps.sender.send(request, { timeoutMs: adapter.timeoutMs })
    } catch (error) {
      for (const delivery of carried) retry(delivery, `${adapter.id} not reached: ${describeError(error)}`)
      return
    }
    const answered = `${adapter.id} answered ${response.status}`
    const classified = adapter.classify(response, request, deps.now())
    const rejection = `${answered}: ${classified.detail ?? shortBody(response.body)}`
    const settle = async (delivery: Delivery, outcome: Outcome) => {
      if (outcome === 'delivered') report(delivery.message.messageId, 'delivered', answered)
      else if (outcome === 'retry')
        retry(
          delivery,
          classified.detail ? `${answered}: ${classified.detail}` : answered,
          classified.retryAfterSeconds,
        )
      else await park(delivery, rejection)
    }
    await Promise.all(
      carried.map((delivery) =>
        settle(
          delivery,
          'all' in classified
            ? classified.all
            : (classified.byMessage.get(delivery.message.messageId) ?? classified.others),
        ),
      ),
    )
  }

  await Promise.all([...parkings, ...requests.map(send)])
  const failed = await scheduleRetries(retries, records, deps, report)
  await deps.onBatch?.(reports, new Map(deliveries.map(({ message }) => [message.messageId, message])))
  return { failedRecordIds: records.map((record) => record.recordId).filter((id) => failed.has(id)) }
}

interface Retry {
  delivery: Delivery<QueueMessage>
  reason: string
  retryAfterSeconds: number | undefined
}

/**
 * Sets each retried record's next receive (backoff, never before the vendor's Retry-After) and reports
 * the retries. Every retried record stays failed whatever happens here: if the delay cannot be set, the
 * queue's visibility timeout brings it back instead, so nothing is lost.
 */
async function scheduleRetries(
  retries: ReadonlyArray<Retry>,
  records: ReadonlyArray<QueueRecord>,
  deps: Pick<DeliverDeps<unknown>, 'redelivery' | 'random'>,
  report: (messageId: string, outcome: DeliveryOutcome, reason: string) => void,
): Promise<Set<string>> {
  const failed = new Set<string>()
  const byRecordId = new Map(records.map((record) => [record.recordId, record]))
  const random = deps.random ?? Math.random
  const delays: Array<{ recordId: string; receiptHandle: string; delaySeconds: number }> = []
  const delayOf = new Map<Retry, number>()
  for (const entry of retries) {
    for (const recordId of entry.delivery.recordIds) {
      failed.add(recordId)
      const receiptHandle = byRecordId.get(recordId)?.receiptHandle
      if (!receiptHandle) continue
      const receiveCount = byRecordId.get(recordId)?.receiveCount ?? 1
      const delaySeconds = retryDelaySeconds(receiveCount, entry.retryAfterSeconds, random())
      delays.push({ recordId, receiptHandle, delaySeconds })
      delayOf.set(entry, Math.max(delayOf.get(entry) ?? 0, delaySeconds))
    }
  }
  let scheduled = deps.redelivery !== undefined && delays.length > 0
  let unscheduledReason = 'after the queue visibility timeout'
  if (scheduled && deps.redelivery) {
    try {
      await deps.redelivery.delay(delays)
    } catch (error) {
      scheduled = false
      unscheduledReason = `after the queue visibility timeout (could not set the delay: ${describeError(error)})`
    }
  }
  for (const entry of retries) {
    const seconds = delayOf.get(entry)
    const when = scheduled && seconds !== undefined ? `in ${seconds} s` : unscheduledReason
    report(entry.delivery.message.messageId, 'retry', `${entry.reason}; next try ${when}`)
  }
  return failed
}

interface ReadResult {
  deliveries: Delivery[]
  erasures: Array<Delivery<ErasureMessage>>
  unreadable: Array<{ delivery: Delivery<QueueMessage>; reason: string }>
}

/** Parses every body; records repeating a messageId join the first one's delivery. */
function readRecords(
  records: ReadonlyArray<QueueRecord>,
  vendor: VendorMessage['vendor'],
  now: Date,
): ReadResult {
  const result: ReadResult = { deliveries: [], erasures: [], unreadable: [] }
  const byMessageId = new Map<string, Delivery<QueueMessage>>()
  for (const record of records) {
    const parsed = parseQueueMessage(record.body)
    if (!parsed.ok) {
      result.unreadable.push({ delivery: unreadableDelivery(record, vendor, now), reason: parsed.reason })
      continue
    }
    const { message } = parsed
    if (message.vendor !== vendor) {
      const delivery = { message, recordIds: [record.recordId] }
      result.unreadable.push({ delivery, reason: `message for ${message.vendor} on the ${vendor} queue` })
      continue
    }
    const repeated = byMessageId.get(message.messageId)
    if (repeated) {
      repeated.recordIds.push(record.recordId)
      continue
    }
    if (isErasureMessage(message)) {
      const erasure = { message, recordIds: [record.recordId] }
      byMessageId.set(message.messageId, erasure)
      result.erasures.push(erasure)
      continue
    }
    const delivery = { message, recordIds: [record.recordId] }
    byMessageId.set(message.messageId, delivery)
    result.deliveries.push(delivery)
  }
  return result
}

/**
 * DeadLetters takes a VendorMessage, and an unreadable body is not one: it is wrapped, under the SQS
 * record id, with the body as it came (from our own queue, so nothing new is exposed).
 */
function unreadableDelivery(record: QueueRecord, vendor: VendorMessage['vendor'], now: Date): Delivery {
  return {
    recordIds: [record.recordId],
    message: {
      vendor,
      messageId: record.recordId,
      siteId: 'unknown',
      consentKey: 'unknown',
      recheck: { eventType: 'track', gpc: false },
      enqueuedAt: now.toISOString(),
      payload: { unreadableBody: record.body.slice(0, MAX_UNREADABLE_BODY_CHARS) },
    },
  }
}

/** One tombstone lookup per distinct consent key in the batch, all at once; none without erasures. */
function lookUpTombstones(
  deliveries: ReadonlyArray<Delivery>,
  erasures: ErasureDeliveryDeps | undefined,
  now: Date,
): Map<string, Promise<PromiseSettledResult<boolean>>> {
  const lookups = new Map<string, Promise<PromiseSettledResult<boolean>>>()
  if (!erasures) return lookups
  for (const { message } of deliveries) {
    if (lookups.has(message.consentKey)) continue
    const settled = erasures.store.isErased(message.consentKey, now).then(
      (value) => ({ status: 'fulfilled' as const, value }),
      (reason: unknown) => ({ status: 'rejected' as const, reason }),
    )
    lookups.set(message.consentKey, settled)
  }
  return lookups
}

interface Standing {
  consent: ConsentRecord | null
  rights: RightsState | null
}

/** One lookup of consent and rights per distinct consent key in the batch, all at once. */
function lookUpStanding(
  deliveries: ReadonlyArray<Delivery>,
  deps: Pick<DeliverDeps<unknown>, 'consent' | 'rights'>,
  now: Date,
): Map<string, Promise<PromiseSettledResult<Standing>>> {
  const lookups = new Map<string, Promise<PromiseSettledResult<Standing>>>()
  for (const { message } of deliveries) {
    const key = message.consentKey
    if (lookups.has(key)) continue
    const settled = Promise.all([
      deps.consent.current(key, now),
      deps.rights ? deps.rights.read(key, now) : null,
    ]).then(
      ([consent, rights]) => ({ status: 'fulfilled' as const, value: { consent, rights } }),
      (reason: unknown) => ({ status: 'rejected' as const, reason }),
    )
    lookups.set(key, settled)
  }
  return lookups
}

function shortBody(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim()
  if (flat === '') return '(empty body)'
  return flat.length > MAX_QUOTED_RESPONSE_CHARS ? `${flat.slice(0, MAX_QUOTED_RESPONSE_CHARS)}…` : flat
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = error.cause instanceof Error && 'code' in error.cause ? ` (${String(error.cause.code)})` : ''
  return `${error.name}: ${error.message}${code}`
}
