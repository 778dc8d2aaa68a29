import type { AuditEntryRow, PolicyVersionRow, PrivacyRequestRow, VendorRow } from './answers.ts'
import { renderTable } from './table.ts'

const NONE = '-'

export function vendorsTable(vendors: VendorRow[]): string {
  return renderTable(
    ['ID', 'ENABLED', 'LEGAL BASIS', 'TRANSFER', 'QUEUE', 'OLDEST', 'DLQ', 'LAST DELIVERY'],
    vendors.map((vendor) => [
      vendor.id,
      vendor.enabled ? 'yes' : 'no',
      vendor.legalBasis,
      `${vendor.transfer.country}/${vendor.transfer.safeguard}`,
      count(vendor.status.queue.depth),
      age(vendor.status.queue.oldestAgeSeconds),
      count(vendor.status.deadLetters.count),
      lastDelivery(vendor.status.lastDelivery),
    ]),
  )
}

export function vendorDetail(vendor: VendorRow): string {
  return [
    vendorsTable([vendor]),
    '',
    `label     ${vendor.label}`,
    `revision  ${vendor.revision}`,
    'settings',
    JSON.stringify(vendor.settings, null, 2),
  ].join('\n')
}

export function auditTable(entries: AuditEntryRow[]): string {
  return renderTable(
    ['AT', 'PRINCIPAL', 'ACTION', 'TARGET', 'DIFF', 'REASON'],
    entries.map((entry) => [
      entry.at,
      entry.principal,
      entry.action,
      entry.target,
      diffSummary(entry.diff),
      entry.reason ?? '',
    ]),
  )
}

export function policyTable(versions: PolicyVersionRow[]): string {
  return renderTable(
    ['VERSION', 'EFFECTIVE', 'PUBLISHED', 'COVERS', 'SUMMARY'],
    versions.map((version) => [
      version.version,
      version.effectiveAt,
      version.publishedAt ?? NONE,
      Object.entries(version.covers)
        .map(([vendor, purposes]) => `${vendor}:${purposes.join('+')}`)
        .join(','),
      version.summary ?? '',
    ]),
  )
}

export function privacyTable(requests: PrivacyRequestRow[]): string {
  return renderTable(
    ['REQUESTED', 'KIND', 'SITE', 'STATE', 'DEADLINE'],
    requests.map((request) => [
      request.requestedAt,
      request.kind,
      request.siteId,
      request.failure ? `${request.state} (${request.failure})` : request.state,
      request.deadline,
    ]),
  )
}

/** `/enabled: true → false; /settings/x: (none) → 1` */
export function diffSummary(diff: AuditEntryRow['diff']): string {
  return diff.map((change) => `${change.path}: ${shown(change.before)} → ${shown(change.after)}`).join('; ')
}

function shown(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value)
}

function count(value: number | null): string {
  return value === null ? NONE : String(value)
}

function age(seconds: number | null): string {
  if (seconds === null) return NONE
  if (seconds < 120) return `${seconds}s`
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`
  return `${Math.round(seconds / 3600)}h`
}

function lastDelivery(last: VendorRow['status']['lastDelivery']): string {
  if (last === null) return NONE
  return `${last.at} ${last.outcome}${last.detail ? ` (${last.detail})` : ''}`
}
