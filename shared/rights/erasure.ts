import { randomUUID } from 'node:crypto'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import type { ErasureMessage, QueueDispatch } from '#shared/delivery/message.ts'
import { consentKey, ga4ClientId } from '#shared/privacy/pseudonym.ts'
import { sealBinding, sealEmail } from '#shared/privacy/sealed-email.ts'
import { VENDOR_ID_LIST, VENDORS_ERASING_BY_EMAIL } from '#shared/vendors/ids.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import type { ErasureStore } from './erasure-store.ts'
import { ERASURE_STATUS_KEPT_SECONDS, ERASURE_TOMBSTONE_KEPT_SECONDS } from './erasure-times.ts'
import type { ErasureStatus, Visitor, VisitorRights } from './ports.ts'

const MILLISECONDS_PER_SECOND = 1000

export interface ErasureDeps {
  store: ErasureStore
  dispatch: QueueDispatch
  pseudonymKey: string
  now: () => Date
  newId?: () => string
  /** The vendors asked to erase; every vendor when absent. */
  vendors?: ReadonlyArray<VendorId>
}

/** What an admin may add to an erasure: the e-mail HubSpot erases by (never stored, never logged). */
export interface ErasureOptions {
  email?: string
}

/** An admin's e-mail that is not one: answered 400 naming the field. */
export class ErasureRequestError extends Error {
  override name = 'ErasureRequestError'
  readonly field = 'email'
}

const emailSchema = z.email()

/** VisitorRights' erase and erasureStatus; erase also takes an admin's options. */
export interface VisitorErasure extends Pick<VisitorRights, 'erasureStatus'> {
  erase(visitor: Visitor, options?: ErasureOptions): Promise<ErasureStatus>
}

/**
 * Erasure (GDPR Art. 17): the visitor's items are deleted at once, leaving a tombstone that withholds
 * what is still queued for them; each vendor's deliverer gets an erase request on its queue and records
 * its part in the status (pending → done, failed or no deletion API).
 */
export function visitorErasure(deps: ErasureDeps): VisitorErasure {
  const vendors = deps.vendors ?? VENDOR_ID_LIST
  const newId = deps.newId ?? randomUUID
  return {
    async erase(visitor, options: ErasureOptions = {}) {
      const email = options.email === undefined ? undefined : normaliseEmail(options.email)
      const now = deps.now()
      const nowSeconds = Math.floor(now.getTime() / MILLISECONDS_PER_SECOND)
      const key = consentKey(deps.pseudonymKey, visitor.siteId, visitor.anonymousId)
      const status: ErasureStatus = {
        erasureId: newId(),
        requestedAt: now.toISOString(),
        state: 'pending',
        vendors: Object.fromEntries(vendors.map((vendor) => [vendor, { state: 'pending' as const }])),
      }
      await deps.store.begin(status, key, nowSeconds + ERASURE_STATUS_KEPT_SECONDS)
      await deps.store.eraseVisitor(key, nowSeconds + ERASURE_TOMBSTONE_KEPT_SECONDS)
      await Promise.all(
        vendors.map((vendor) => {
          const message: ErasureMessage = {
            kind: 'erase',
            vendor,
            messageId: newId(),
            erasureId: status.erasureId,
            siteId: visitor.siteId,
            consentKey: key,
            subject: subjectFor(vendor, visitor, deps.pseudonymKey, email, status.erasureId),
            enqueuedAt: now.toISOString(),
          }
          return deps.dispatch.enqueue(vendor, [message])
        }),
      )
      return status
    },

    async erasureStatus(visitor, erasureId) {
      const found = await deps.store.read(erasureId, deps.now())
      if (!found) return null
      // Someone else's erasure id gets the answer an unknown one gets.
      const key = consentKey(deps.pseudonymKey, visitor.siteId, visitor.anonymousId)
      return found.consentKey === key ? found.status : null
    },
  }
}

/** What each vendor knows the visitor by: GA4 its client_id; HubSpot the admin's e-mail (sealed), if given. */
function subjectFor(
  vendor: VendorId,
  visitor: Visitor,
  pseudonymKey: string,
  email: string | undefined,
  erasureId: string,
): ErasureMessage['subject'] {
  if (vendor === 'ga4') return { pseudonym: ga4ClientId(pseudonymKey, visitor.siteId, visitor.anonymousId) }
  if (VENDORS_ERASING_BY_EMAIL.includes(vendor) && email !== undefined)
    return { sealedEmail: sealEmail(pseudonymKey, email, sealBinding(erasureId, vendor)) }
  return {}
}

function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase()
  if (!emailSchema.safeParse(email).success) throw new ErasureRequestError('email is not an e-mail address')
  return email
}
