import { openEmail, sealBinding } from '#shared/privacy/sealed-email.ts'
import type { ErasureStore, VendorErasureState } from '#shared/rights/erasure-store.ts'
import type { VendorAdapter } from '#shared/vendors/adapter.ts'
import type { ErasurePlan, ErasureSubject } from '#shared/vendors/contract.ts'
import { vendorById } from '#shared/vendors/index.ts'
import { noDeletionApiDetail } from './erasure-opt-out.ts'
import type { HttpSender, VendorResponse } from './http.ts'
import type { ErasureMessage } from './message.ts'

/** What the deliverer needs for erasures: the tombstones it withholds by and the status it settles. */
export interface ErasureDeliveryDeps {
  store: Pick<ErasureStore, 'isErased' | 'settle'>
  /**
   * The queue's maxReceiveCount. An erase request still failing on its last receive is dead-lettered by
   * the deliverer itself, with the vendor's reason, and its status set to failed. Absent: the queue
   * moves it, and the status stays pending with the last reason.
   */
  maxReceiveCount?: number
  /**
   * The pseudonym key a sealed e-mail is opened with at send time (read per batch from the secret's
   * cache). Only the deliverers of vendors that erase by e-mail have it; without it such a request fails.
   */
  pseudonymKey?: () => Promise<string | undefined>
}

/** How an erase request's delivery settles, given by deliverRecords (the same as for events). */
export interface ErasureSettlers {
  delivered(reason: string): void
  retry(reason: string, retryAfterSeconds?: number): void
  park(message: ErasureMessage, reason: string): Promise<void>
}

/**
 * Sends one erase request: never withheld (consent and the vendor switch do not apply to it), the
 * vendor's answer read by its classify. Its part of the erasure status is written before the message
 * settles, so a status that cannot be written brings the request back rather than losing it.
 */
export async function deliverErasure(
  message: ErasureMessage,
  receiveCount: number,
  deps: {
    adapter: VendorAdapter<unknown>
    sender: HttpSender
    erasures: ErasureDeliveryDeps
    now: () => Date
  },
  settle: ErasureSettlers,
): Promise<void> {
  const { adapter, erasures } = deps
  const record = (state: VendorErasureState, detail: string) =>
    erasures.store.settle(message.erasureId, adapter.id, state, detail)
  const lastTry = erasures.maxReceiveCount !== undefined && receiveCount >= erasures.maxReceiveCount
  // The e-mail an admin gave HubSpot is not kept in a dead-letter queue, not even sealed.
  const { sealedEmail: _sealed, ...kept } = message.subject
  const parkable: ErasureMessage = { ...message, subject: kept }
  const fail = async (reason: string) => {
    await record('failed', reason)
    await settle.park(parkable, reason)
  }
  const retry = async (reason: string, retryAfterSeconds?: number) => {
    if (lastTry) return fail(`${reason} (last of ${erasures.maxReceiveCount} tries)`)
    await record('pending', reason)
    settle.retry(reason, retryAfterSeconds)
  }

  try {
    const subject = await openedSubject(message, erasures)
    if ('unopened' in subject) return await fail(subject.unopened)
    const plan = await planOf(subject, adapter, deps.sender)
    if ('nothingSent' in plan) {
      await record('done', plan.nothingSent)
      return settle.delivered(plan.nothingSent)
    }
    if ('unavailable' in plan) {
      await record('no-deletion-api', plan.unavailable)
      return settle.delivered(`no deletion API: ${plan.unavailable}`)
    }
    if ('reject' in plan) return await fail(plan.reject)
    if ('retry' in plan) return await retry(plan.retry, plan.retryAfterSeconds)

    let response: VendorResponse
    try {
      response = await deps.sender.send(plan.send, { timeoutMs: adapter.timeoutMs })
    } catch (error) {
      return await retry(`${adapter.id} not reached: ${describe(error)}`)
    }
    const classified = adapter.classify(response, plan.send, deps.now())
    const outcome = 'all' in classified ? classified.all : classified.others
    const answered = `${adapter.id} answered ${response.status}`
    const why = classified.detail ? `${answered}: ${classified.detail}` : answered
    if (outcome === 'delivered') {
      await record('done', answered)
      return settle.delivered(`erasure requested: ${answered}`)
    }
    if (outcome === 'retry') return await retry(why, classified.retryAfterSeconds)
    return await fail(why)
  } catch (error) {
    // The status store or the token request failed: the request comes back.
    settle.retry(`erasure not settled: ${describe(error)}`)
  }
}

/** The subject as the vendor's erase takes it: the sealed e-mail opened, here and nowhere earlier. */
async function openedSubject(
  message: ErasureMessage,
  erasures: ErasureDeliveryDeps,
): Promise<ErasureSubject | { unopened: string }> {
  const { sealedEmail, pseudonym } = message.subject
  const base = pseudonym === undefined ? {} : { pseudonym }
  if (sealedEmail === undefined) return base
  const key = await erasures.pseudonymKey?.()
  if (!key) return { unopened: `the ${message.vendor} deliverer has no key to open the sealed e-mail with` }
  const email = openEmail(key, sealedEmail, sealBinding(message.erasureId, message.vendor))
  if (email === undefined) return { unopened: 'the sealed e-mail does not open with this deployment’s key' }
  return { ...base, email }
}

async function planOf(
  subject: ErasureSubject,
  adapter: VendorAdapter<unknown>,
  sender: HttpSender,
): Promise<ErasurePlan> {
  if (adapter.erase) {
    try {
      return await adapter.erase(subject, { sender })
    } catch (error) {
      return { retry: `${adapter.id} erasure not prepared: ${describe(error)}` }
    }
  }
  if (vendorById(adapter.id)?.erase)
    return { reject: `${adapter.id} is switched off without settings or a secret to erase with` }
  return { unavailable: noDeletionApiDetail(adapter.id) }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
