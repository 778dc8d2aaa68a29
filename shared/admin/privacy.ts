import { ClientError, ValidationError } from '#shared/http/errors.ts'
import { ErasureRequestError } from '#shared/rights/erasure.ts'
import type { ErasureStatus, Visitor } from '#shared/rights/ports.ts'
import type { PrivacyRequest, PrivacyRequestAnswer, PrivacyRequestBody, PrivacyRequestList } from './api.ts'
import { storedAudit } from './audit.ts'
import { oneMonthAfter } from './deadline.ts'
import type { AdminPrivacy } from './privacy-ports.ts'
import { parseBody, privacyRequestBodySchema } from './requests.ts'
import type { AdminDeps, AdminRequest } from './service.ts'

const DAY_MS = 24 * 60 * 60 * 1000
/** The most requests one listing shows. */
export const MAX_LISTED_PRIVACY_REQUESTS = 500

function privacyOf(deps: AdminDeps): AdminPrivacy {
  if (!deps.privacy) throw new ClientError(501, 'visitor rights are not available in this deployment')
  return deps.privacy
}

function parsedRequest(privacy: AdminPrivacy, body: unknown): PrivacyRequestBody {
  const parsed = parseBody(privacyRequestBodySchema, body)
  if (!privacy.siteIds.includes(parsed.siteId))
    throw new ValidationError('siteId', 'is not a configured site')
  if (parsed.email !== undefined && parsed.kind !== 'erase')
    throw new ValidationError('email', 'is only taken by an erase request')
  return parsed
}

async function run(privacy: AdminPrivacy, body: PrivacyRequestBody, visitor: Visitor) {
  switch (body.kind) {
    case 'export':
      return { result: await privacy.rights.export(visitor), state: 'done' as const }
    case 'restrict':
    case 'unrestrict':
      return {
        result: await privacy.rights.restrict(visitor, body.kind === 'restrict'),
        state: 'done' as const,
      }
    case 'erase': {
      const options = body.email === undefined ? {} : { email: body.email }
      try {
        const status = await privacy.rights.erase(visitor, options)
        return { result: status, state: status.state, erasureId: status.erasureId }
      } catch (error) {
        if (error instanceof ErasureRequestError) throw new ValidationError(error.field, error.message)
        throw error
      }
    }
  }
}

/**
 * Runs a visitor's rights request for an admin now, and tracks it with its one-month deadline. The
 * audit entry and the tracked request name the visitor by their consent key only; the e-mail goes to
 * the erasure and nowhere else. The audit entry is written first: a request that then fails is still
 * on record as attempted, and listed as failed with its reason.
 */
export async function runPrivacyRequest(
  deps: AdminDeps,
  request: AdminRequest,
): Promise<PrivacyRequestAnswer> {
  const privacy = privacyOf(deps)
  const body = parsedRequest(privacy, request.body)
  const visitor: Visitor = { siteId: body.siteId, anonymousId: body.anonymousId }
  const consentKey = privacy.consentKey(visitor)
  const now = deps.now()
  const requestedAt = now.toISOString()
  const audit = {
    id: deps.newId(),
    at: requestedAt,
    principal: request.principal,
    action: `privacy.${body.kind}` as const,
    target: `site:${body.siteId}`,
    diff: [{ path: '/consentKey', after: consentKey }],
    ...(body.reason ? { reason: body.reason } : {}),
  }
  await deps.store.appendAudit(storedAudit(audit, deps.auditDays))
  const tracked: Omit<PrivacyRequest, 'state'> = {
    id: audit.id,
    kind: body.kind,
    siteId: body.siteId,
    consentKey,
    requestedAt,
    deadline: oneMonthAfter(now).toISOString(),
    principal: request.principal,
  }
  const record = (done: PrivacyRequest) =>
    privacy.requests.record({
      request: done,
      expiresAt: Math.floor((now.getTime() + deps.auditDays * DAY_MS) / 1000),
    })
  let ran: Awaited<ReturnType<typeof run>>
  try {
    ran = await run(privacy, body, visitor)
  } catch (error) {
    // Attempted and on the audit trail: listed as failed, with why, so the admin can run it again in time.
    await record({ ...tracked, state: 'failed', failure: failureOf(error) }).catch((recordError: unknown) =>
      deps.report?.(recordError),
    )
    throw error
  }
  const { result, state } = ran
  const erasureId = 'erasureId' in ran ? ran.erasureId : undefined
  const done: PrivacyRequest = { ...tracked, state, ...(erasureId ? { erasureId } : {}) }
  await record(done)
  return { request: done, result, audit }
}

/** The longest failure reason kept with a request. */
const MAX_FAILURE_CHARS = 300

/** The error's name and message (never a request body: the visitor id and e-mail are not in them). */
function failureOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.length > MAX_FAILURE_CHARS ? `${text.slice(0, MAX_FAILURE_CHARS - 1)}…` : text
}

/** Each failed vendor's part of an erasure, as `vendor: detail`. */
function vendorFailures(status: ErasureStatus): string | undefined {
  const failed = Object.entries(status.vendors)
    .filter(([, part]) => part.state === 'failed')
    .map(([vendor, part]) => (part.detail ? `${vendor}: ${part.detail}` : vendor))
  return failed.length > 0 ? failed.join('; ') : undefined
}

/** Newest first; a pending erasure's state read again from its status (kept until it expires). */
export async function listPrivacyRequests(deps: AdminDeps): Promise<PrivacyRequestList> {
  const privacy = privacyOf(deps)
  const requests = await privacy.requests.list(MAX_LISTED_PRIVACY_REQUESTS)
  return {
    requests: await Promise.all(
      requests.map(async (tracked) => {
        if (!tracked.erasureId || tracked.state !== 'pending') return tracked
        const status = await privacy.erasureStatus(tracked.erasureId)
        if (!status) return tracked
        const failure = status.state === 'failed' ? vendorFailures(status) : undefined
        return { ...tracked, state: status.state, ...(failure ? { failure } : {}) }
      }),
    ),
  }
}
