import type { TraitStore } from '#shared/identity/trait-store.ts'
import { type PolicyCatalogue, policyCatalogue } from '#shared/policy/catalogue.ts'
import { currentVersion } from '#shared/policy/current.ts'
import { type Notice, noticeRequired } from '#shared/policy/notice-window.ts'
import type { PolicyVersions } from '#shared/policy/port.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { ConsentRecord, Purposes } from './model.ts'
import { CONSENT_HISTORY_KEPT, type ConsentStore } from './store.ts'

const SECONDS_PER_DAY = 24 * 60 * 60
const MILLISECONDS_PER_SECOND = 1000

export interface ConsentDeps {
  store: ConsentStore
  /** Key of the HMAC that turns a visitor id into the consent key; the store never sees the id. */
  pseudonymKey: string
  /** The deployment's policy version: the implicit first one, in force until a version is published. */
  policyVersion: string
  /** The published policy versions (config table, cached). Absent: none published. */
  policyVersions?: PolicyVersions
  /** How long a decision and its proof are kept. */
  retentionDays: number
  now: () => Date
  newReceiptId: () => string
  /** Hashed identify traits kept while the visitor allows marketing: forgotten when marketing is not. */
  traits?: Pick<TraitStore, 'forget'>
}

/** What the visitor gets back as proof of a decision. */
export interface ConsentReceipt {
  receiptId: string
  anonymousId: string
  purposes: Purposes
  policyVersion: string
  /** ISO 8601 */
  recordedAt: string
  /** ISO 8601: when the decision and its proof are deleted. */
  expiresAt: string
  /** The decision was the visitor's objection to this version's notice (privacy §11). */
  objectedTo?: string
}

export type ConsentHistoryEntry = Omit<ConsentReceipt, 'anonymousId'>

export interface ConsentState extends ConsentReceipt {
  /** Recorded under an older policy version than the current one: ask the visitor again. */
  needsRenewal: boolean
  /**
   * The current version's notice the site should show, with the end of its objection window; null
   * when none is pending, and after the deadline (silence then counts for what the older version covered).
   */
  noticeRequired: Notice | null
  /** Every decision still kept, oldest first, the current one last. */
  history: ConsentHistoryEntry[]
}

export function historyEntryOf(record: ConsentRecord): ConsentHistoryEntry {
  return {
    receiptId: record.receiptId,
    purposes: record.purposes,
    policyVersion: record.policyVersion,
    recordedAt: record.updatedAt,
    expiresAt: new Date(record.expiresAt * MILLISECONDS_PER_SECOND).toISOString(),
    ...(record.objectedTo ? { objectedTo: record.objectedTo } : {}),
  }
}

/** The published versions plus the deployment's implicit one. */
export async function policyCatalogueOf(deps: ConsentDeps): Promise<PolicyCatalogue> {
  return policyCatalogue((await deps.policyVersions?.published()) ?? [], deps.policyVersion)
}

const receiptOf = (record: ConsentRecord, anonymousId: string): ConsentReceipt => ({
  ...historyEntryOf(record),
  anonymousId,
})

/** The decision in force as stored (with its token nonce), or null when there is none. */
export function currentDecision(
  siteId: string,
  anonymousId: string,
  deps: Pick<ConsentDeps, 'store' | 'pseudonymKey' | 'now'>,
): Promise<ConsentRecord | null> {
  return deps.store.current(consentKey(deps.pseudonymKey, siteId, anonymousId), deps.now())
}

/**
 * Records the visitor's decision; a purpose not mentioned is refused (default deny). The visitor
 * token's nonce is `tokenNonce` when given, else the stored decision's (a new decision keeps it).
 */
export async function recordConsent(
  siteId: string,
  anonymousId: string,
  purposes: Partial<Purposes>,
  deps: ConsentDeps,
  objectedTo?: string,
  tokenNonce?: string,
): Promise<ConsentReceipt> {
  const now = deps.now()
  const key = consentKey(deps.pseudonymKey, siteId, anonymousId)
  const nonce = tokenNonce ?? (await deps.store.current(key, now))?.tokenNonce
  const record: ConsentRecord = {
    consentKey: key,
    purposes: { analytics: purposes.analytics ?? false, marketing: purposes.marketing ?? false },
    policyVersion: currentVersion(await policyCatalogueOf(deps), now).version,
    receiptId: deps.newReceiptId(),
    updatedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / MILLISECONDS_PER_SECOND) + deps.retentionDays * SECONDS_PER_DAY,
    ...(objectedTo ? { objectedTo } : {}),
    ...(nonce ? { tokenNonce: nonce } : {}),
  }
  await deps.store.record(record)
  // Forgotten after the decision is recorded: if this fails the client retries, and the collector
  // keeps no traits in the meantime because it keeps them only under stored marketing consent.
  if (!record.purposes.marketing) await deps.traits?.forget(record.consentKey)
  return receiptOf(record, anonymousId)
}

/**
 * The decision in force when it already says `purposes` under the current policy version (the tag asks
 * on every page load: no new history entry for each); otherwise records it as recordConsent does.
 * `current` is the decision the caller has just read.
 */
export async function confirmConsent(
  siteId: string,
  anonymousId: string,
  purposes: Partial<Purposes>,
  deps: ConsentDeps,
  current: ConsentRecord | null,
  tokenNonce?: string,
): Promise<ConsentReceipt> {
  const wanted = { analytics: purposes.analytics ?? false, marketing: purposes.marketing ?? false }
  if (
    current &&
    current.objectedTo === undefined &&
    current.purposes.analytics === wanted.analytics &&
    current.purposes.marketing === wanted.marketing &&
    (tokenNonce === undefined || current.tokenNonce === tokenNonce) &&
    current.policyVersion === currentVersion(await policyCatalogueOf(deps), deps.now()).version
  ) {
    return receiptOf(current, anonymousId)
  }
  return recordConsent(siteId, anonymousId, wanted, deps, undefined, tokenNonce)
}

/** The decision in force with its history, or null when the visitor has none (or it expired). */
export async function readConsent(
  siteId: string,
  anonymousId: string,
  deps: ConsentDeps,
): Promise<ConsentState | null> {
  const key = consentKey(deps.pseudonymKey, siteId, anonymousId)
  const now = deps.now()
  const [current, history, catalogue] = await Promise.all([
    deps.store.current(key, now),
    deps.store.history(key, now),
    policyCatalogueOf(deps),
  ])
  if (!current) return null
  return {
    ...receiptOf(current, anonymousId),
    needsRenewal: current.policyVersion !== currentVersion(catalogue, now).version,
    noticeRequired: noticeRequired(catalogue, current.policyVersion, now),
    // The store prunes on write; a burst of concurrent writes may leave a few extra until the next one.
    history: history.slice(-CONSENT_HISTORY_KEPT).map(historyEntryOf),
  }
}

/**
 * Withdraws every purpose (GDPR Art. 7(3)). It is recorded as a new decision rather than deleted, so
 * the history keeps the proof of what was consented to before (Art. 7(1)).
 */
export function revokeConsent(
  siteId: string,
  anonymousId: string,
  deps: ConsentDeps,
  tokenNonce?: string,
): Promise<ConsentReceipt> {
  return recordConsent(
    siteId,
    anonymousId,
    { analytics: false, marketing: false },
    deps,
    undefined,
    tokenNonce,
  )
}
