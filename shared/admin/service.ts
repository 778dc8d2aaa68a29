import { ConflictError, NotFoundError, ValidationError } from '#shared/http/errors.ts'
import type { PolicyVersion } from '#shared/policy/versions.ts'
import type { AnyVendor, BaseVendorSettings } from '#shared/vendors/contract.ts'
import { isVendorId, type KnownVendor, VENDORS, vendorById } from '#shared/vendors/index.ts'
import { vendorSettingsRefusal } from '#shared/vendors/runtime-settings.ts'
import { transferRefusal } from '#shared/vendors/transfer.ts'
import type {
  AuditAction,
  AuditAnswer,
  AuditEntry,
  RedriveAnswer,
  VendorChangeAnswer,
  VendorList,
  VendorView,
} from './api.ts'
import { type AuditQueryInput, auditQuery, storedAudit } from './audit.ts'
import { leafDiff } from './diff.ts'
import { RedriveInProgressError, type Redriver, type VendorStatusSource } from './ports.ts'
import type { AdminPrivacy } from './privacy-ports.ts'
import { parseBody, publishPolicyBodySchema, putVendorBodySchema, reasonBodySchema } from './requests.ts'
import { type AdminStore, ConcurrentChangeError, type StoredVendorSettings } from './store.ts'
import { parsedSettings, UNKNOWN_STATUS, vendorView } from './vendor-view.ts'

export interface AdminDeps {
  store: AdminStore
  status: VendorStatusSource
  redriver: Redriver
  now: () => Date
  newId: () => string
  /** A production deployment refuses settings meant for testing (vendorSettingsRefusal). */
  production: boolean
  /** How long audit entries are kept (deployment config `retention.auditDays`). */
  auditDays: number
  /** The settings cache window collect and deliver read through, in seconds. */
  takesEffectWithinSeconds: number
  /** The visitor rights an admin runs (issue 10); absent, the privacy routes answer 501. */
  privacy?: AdminPrivacy
  /** Told of a status source that failed (the view then shows unknown figures). */
  report?: (error: unknown) => void
}

/** Who asked, and the parsed JSON body if the route takes one. */
export interface AdminRequest {
  principal: string
  body?: unknown
}

function knownVendor(id: string): KnownVendor {
  const vendor = isVendorId(id) ? vendorById(id) : undefined
  if (!vendor) throw new NotFoundError(`vendor ${id}`)
  return vendor
}

async function statusOf(deps: AdminDeps, vendor: KnownVendor) {
  try {
    return await deps.status.statusOf(vendor.id)
  } catch (error) {
    deps.report?.(error)
    return UNKNOWN_STATUS
  }
}

async function viewOf(deps: AdminDeps, vendor: KnownVendor, stored: StoredVendorSettings | null) {
  return vendorView(vendor, stored, await statusOf(deps, vendor))
}

function auditEntry(
  deps: AdminDeps,
  request: AdminRequest,
  action: AuditAction,
  target: string,
  diff: AuditEntry['diff'],
  reason: string | undefined,
): AuditEntry {
  return {
    id: deps.newId(),
    at: deps.now().toISOString(),
    principal: request.principal,
    action,
    target,
    diff,
    ...(reason ? { reason } : {}),
  }
}

export async function listVendors(deps: AdminDeps): Promise<VendorList> {
  const stored = new Map((await deps.store.vendorSettings()).map((item) => [item.vendorId, item]))
  const vendors = await Promise.all(
    VENDORS.map((vendor) => viewOf(deps, vendor, stored.get(vendor.id) ?? null)),
  )
  return { vendors, takesEffectWithinSeconds: deps.takesEffectWithinSeconds }
}

export async function showVendor(deps: AdminDeps, id: string): Promise<VendorView> {
  const vendor = knownVendor(id)
  return viewOf(deps, vendor, await deps.store.vendorSettingsOf(vendor.id))
}

/** Validates, refuses what may not run, and writes the change with its audit entry in one transaction. */
async function changeSettings(
  deps: AdminDeps,
  request: AdminRequest,
  vendor: KnownVendor,
  stored: StoredVendorSettings | null,
  next: unknown,
  action: AuditAction,
  reason: string | undefined,
): Promise<VendorChangeAnswer> {
  const schema: AnyVendor['settingsSchema'] = vendor.settingsSchema
  const settings = parseBody(schema, next, 'settings')
  if (settings.enabled) refuseIfUnsafe(deps, vendor, settings)
  const before = parsedSettings(vendor, stored?.settings) ?? stored?.settings
  const audit = auditEntry(deps, request, action, vendor.id, leafDiff(before, settings), reason)
  const expectedRevision = stored?.revision ?? 0
  let revision: number
  try {
    ;({ revision } = await deps.store.changeVendorSettings(
      {
        vendorId: vendor.id,
        settings: { ...settings },
        expectedRevision,
        at: audit.at,
        principal: request.principal,
      },
      storedAudit(audit, deps.auditDays),
    ))
  } catch (error) {
    if (error instanceof ConcurrentChangeError)
      throw new ConflictError(`vendor ${vendor.id} was changed concurrently; read it again and retry`)
    throw error
  }
  const updated = {
    vendorId: vendor.id,
    settings,
    revision,
    updatedAt: audit.at,
    updatedBy: request.principal,
  }
  return {
    vendor: await viewOf(deps, vendor, updated),
    audit,
    takesEffectWithinSeconds: deps.takesEffectWithinSeconds,
  }
}

function refuseIfUnsafe(deps: AdminDeps, vendor: AnyVendor, settings: BaseVendorSettings): void {
  const transfer = transferRefusal(vendor, settings)
  if (transfer) throw new ConflictError(transfer)
  const stage = vendorSettingsRefusal(vendor, settings, deps.production)
  if (stage)
    throw new ConflictError(`${vendor.label} (${vendor.id}) may not run with these settings: ${stage}`)
}

export async function putVendor(
  deps: AdminDeps,
  id: string,
  request: AdminRequest,
): Promise<VendorChangeAnswer> {
  const vendor = knownVendor(id)
  const body = parseBody(putVendorBodySchema, request.body)
  const stored = await deps.store.vendorSettingsOf(vendor.id)
  const storedRevision = stored?.revision ?? 0
  if (body.revision !== undefined && body.revision !== storedRevision)
    throw new ConflictError(
      `vendor ${vendor.id} is at revision ${storedRevision}, not ${body.revision}: it was changed since; read it again`,
    )
  return changeSettings(deps, request, vendor, stored, body.settings, 'vendor.update', body.reason)
}

async function switchVendor(deps: AdminDeps, id: string, request: AdminRequest, enabled: boolean) {
  const vendor = knownVendor(id)
  const { reason } = parseBody(reasonBodySchema, request.body ?? {})
  const stored = await deps.store.vendorSettingsOf(vendor.id)
  const current = parsedSettings(vendor, stored?.settings) ?? {}
  const action = enabled ? 'vendor.enable' : 'vendor.disable'
  return changeSettings(deps, request, vendor, stored, { ...current, enabled }, action, reason)
}

export const enableVendor = (deps: AdminDeps, id: string, request: AdminRequest) =>
  switchVendor(deps, id, request, true)
export const disableVendor = (deps: AdminDeps, id: string, request: AdminRequest) =>
  switchVendor(deps, id, request, false)

/** The audit entry is written first: a redrive that then fails is still on record as attempted. */
export async function redriveVendor(
  deps: AdminDeps,
  id: string,
  request: AdminRequest,
): Promise<RedriveAnswer> {
  const vendor = knownVendor(id)
  const { reason } = parseBody(reasonBodySchema, request.body ?? {})
  const audit = auditEntry(deps, request, 'vendor.redrive', vendor.id, [], reason)
  await deps.store.appendAudit(storedAudit(audit, deps.auditDays))
  let moving: number | null
  try {
    ;({ moving } = await deps.redriver.redrive(vendor.id))
  } catch (error) {
    if (error instanceof RedriveInProgressError)
      throw new ConflictError(`a redrive of vendor ${vendor.id}'s dead letters is already under way`)
    throw error
  }
  return { vendor: vendor.id, moving, audit }
}

export async function listAudit(deps: AdminDeps, query: AuditQueryInput): Promise<AuditAnswer> {
  return { entries: await deps.store.auditEntries(auditQuery(query, deps.now())) }
}

export interface PolicyVersionList {
  /** Oldest first (by effective date). */
  versions: PolicyVersion[]
  /** The latest version in effect now, or null before the first takes effect. */
  current: PolicyVersion | null
}

const byEffectiveDate = (a: PolicyVersion, b: PolicyVersion) =>
  Date.parse(a.effectiveAt) - Date.parse(b.effectiveAt) || a.publishedAt.localeCompare(b.publishedAt)

export async function listPolicyVersions(deps: AdminDeps): Promise<PolicyVersionList> {
  const versions = (await deps.store.policyVersions()).sort(byEffectiveDate)
  const now = deps.now().getTime()
  const current = versions.filter((version) => Date.parse(version.effectiveAt) <= now).at(-1) ?? null
  return { versions, current }
}

export async function publishPolicyVersion(
  deps: AdminDeps,
  request: AdminRequest,
): Promise<{ version: PolicyVersion; audit: AuditEntry }> {
  const body = parseBody(publishPolicyBodySchema, request.body)
  for (const key of Object.keys(body.covers))
    if (!isVendorId(key)) throw new ValidationError(`covers.${key}`, 'is not a known vendor id')
  const effectiveAt = new Date(body.effectiveAt).toISOString()
  const latest = (await deps.store.policyVersions()).sort(byEffectiveDate).at(-1)
  if (latest && Date.parse(effectiveAt) < Date.parse(latest.effectiveAt))
    throw new ValidationError(
      'effectiveAt',
      `must not be before ${latest.effectiveAt}, when the latest version (${latest.version}) takes effect`,
    )
  const version: PolicyVersion = {
    version: body.version,
    effectiveAt,
    publishedAt: deps.now().toISOString(),
    covers: body.covers,
    ...(body.summary ? { summary: body.summary } : {}),
  }
  const audit = auditEntry(
    deps,
    request,
    'policy.publish',
    `policy:${version.version}`,
    leafDiff(undefined, { effectiveAt: version.effectiveAt, covers: version.covers }),
    body.reason,
  )
  try {
    await deps.store.publishPolicyVersion(version, storedAudit(audit, deps.auditDays))
  } catch (error) {
    if (error instanceof ConcurrentChangeError)
      throw new ConflictError(`policy version ${version.version} is already published; publish a new version`)
    throw error
  }
  return { version, audit }
}
