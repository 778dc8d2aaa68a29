import type { ConsentRecord } from '#shared/consent/model.ts'
import type { Session } from '#shared/identity/first-party-cookies.ts'
import type { HashedTraits } from '#shared/identity/kinds.ts'
import type { LedgerEntry, RightsState } from './api.ts'

/** Every unexpired item kept under one visitor's consent key, by kind. */
export interface VisitorItems {
  current: ConsentRecord | null
  /** Oldest first. */
  history: ConsentRecord[]
  traits: HashedTraits | null
  ledger: LedgerEntry[]
  /** The visitor's session (sk `session`), kept for clients that bring their own ids. */
  session?: Session
  /** The sort keys of the items of other kinds (`rights`, an erasure's status…), read by their own ports. */
  others: string[]
}

/** Reads a visitor's whole partition (one query), so nothing stored about them is left out. */
export interface VisitorItemsReader {
  read(consentKey: string, now: Date): Promise<VisitorItems>
}

/** The visitor's restriction and objections (consent table, sk `rights`); null when never set. */
export interface RightsReader {
  read(consentKey: string, now: Date): Promise<RightsState | null>
}
