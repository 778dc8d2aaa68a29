import type { ConsentRecord } from '#shared/consent/model.ts'
import { type ConsentReceipt, historyEntryOf } from '#shared/consent/service.ts'
import type { Session } from '#shared/identity/first-party-cookies.ts'
import type { HashedTraits } from '#shared/identity/kinds.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import type { ExportDocument, LedgerEntry, RightsState } from './api.ts'
import type { Visitor, VisitorRights } from './ports.ts'
import type { RightsReader, VisitorItemsReader } from './visitor-items.ts'

export interface ExportDeps {
  items: VisitorItemsReader
  /** Absent (or nothing stored): neither restricted nor objecting. */
  rights?: RightsReader
  /** Key of the HMAC that turns the visitor id into the consent key. */
  pseudonymKey: string
  now: () => Date
}

const UNSET_RIGHTS: RightsState = { restricted: false, objections: {} }

const receiptOf = (record: ConsentRecord, anonymousId: string): ConsentReceipt => ({
  ...historyEntryOf(record),
  anonymousId,
})

/** Only the kinds kept, each with its SHA-256: the hashes are all there is (no clear text is stored). */
function traitsOf(traits: HashedTraits | null): Record<string, string> | null {
  if (!traits) return null
  return Object.fromEntries(Object.entries(traits).flatMap(([kind, hash]) => (hash ? [[kind, hash]] : [])))
}

const newestFirst = (a: LedgerEntry, b: LedgerEntry): number =>
  b.at.localeCompare(a.at) || a.vendor.localeCompare(b.vendor) || a.messageId.localeCompare(b.messageId)

/** Everything stored about the visitor (GDPR Art. 15, 20), from one read of their partition. */
export async function exportVisitor(visitor: Visitor, deps: ExportDeps): Promise<ExportDocument> {
  const now = deps.now()
  const key = consentKey(deps.pseudonymKey, visitor.siteId, visitor.anonymousId)
  const [items, rights] = await Promise.all([deps.items.read(key, now), deps.rights?.read(key, now)])
  return {
    generatedAt: now.toISOString(),
    anonymousId: visitor.anonymousId,
    consent: {
      current: items.current ? receiptOf(items.current, visitor.anonymousId) : null,
      history: items.history.map(historyEntryOf),
    },
    traits: traitsOf(items.traits),
    rights: rights ?? UNSET_RIGHTS,
    deliveries: [...items.ledger].sort(newestFirst),
    ...(items.session ? { session: sessionOf(items.session) } : {}),
  }
}

const MILLISECONDS_PER_SECOND = 1000
const isoOf = (seconds: number): string => new Date(seconds * MILLISECONDS_PER_SECOND).toISOString()

function sessionOf(session: Session): NonNullable<ExportDocument['session']> {
  return {
    id: session.id,
    number: session.number,
    startedAt: isoOf(session.startedAt),
    lastActivityAt: isoOf(session.lastAt),
  }
}

/** The export part of the visitor's rights. */
export function visitorExport(deps: ExportDeps): Pick<VisitorRights, 'export'> {
  return { export: (visitor) => exportVisitor(visitor, deps) }
}
