import type { AdminClient } from './admin-client.ts'
import {
  type AuditEntryRow,
  auditAnswer,
  policyListAnswer,
  policyPublishAnswer,
  privacyListAnswer,
  privacyRequestAnswer,
  redriveAnswer,
  vendorAnswer,
  vendorChangeAnswer,
  vendorListAnswer,
} from './answers.ts'
import type { Command } from './args.ts'
import { applyAssignments } from './settings-path.ts'
import { auditTable, policyTable, privacyTable, vendorDetail, vendorsTable } from './views.ts'

type ApiCommand = Exclude<Command, { kind: 'help' } | { kind: 'ui' }>

/** Runs one API command and gives back what to print: the raw answer with `json`, else tables. */
export async function runCommand(client: AdminClient, command: ApiCommand, json: boolean): Promise<string> {
  const show = (raw: unknown, text: string) => (json ? JSON.stringify(raw, null, 2) : text)
  const vendorPath = (id: string) => `/admin/vendors/${encodeURIComponent(id)}`

  switch (command.kind) {
    case 'vendors-list': {
      const answer = await client.call(vendorListAnswer, 'GET', '/admin/vendors')
      return show(answer, vendorsTable(answer.vendors))
    }
    case 'vendors-show': {
      const answer = await client.call(vendorAnswer, 'GET', vendorPath(command.id))
      return show(answer, vendorDetail(answer))
    }
    case 'vendors-enable':
    case 'vendors-disable': {
      const action = command.kind === 'vendors-enable' ? 'enable' : 'disable'
      const answer = await client.call(vendorChangeAnswer, 'POST', `${vendorPath(command.id)}/${action}`, {
        reason: command.reason,
      })
      return show(answer, changed(answer.audit, answer.takesEffectWithinSeconds))
    }
    case 'vendors-set': {
      // Read-modify-write: the revision read goes back, so a change made meanwhile is refused (409).
      const current = await client.call(vendorAnswer, 'GET', vendorPath(command.id))
      const answer = await client.call(vendorChangeAnswer, 'PUT', vendorPath(command.id), {
        settings: applyAssignments(current.settings, command.assignments),
        revision: current.revision,
        reason: command.reason,
      })
      return show(answer, changed(answer.audit, answer.takesEffectWithinSeconds))
    }
    case 'audit': {
      const query = new URLSearchParams()
      if (command.from !== undefined) query.set('from', command.from)
      if (command.to !== undefined) query.set('to', command.to)
      if (command.limit !== undefined) query.set('limit', String(command.limit))
      const suffix = query.size > 0 ? `?${query}` : ''
      const answer = await client.call(auditAnswer, 'GET', `/admin/audit${suffix}`)
      return show(answer, auditTable(answer.entries))
    }
    case 'policy-list': {
      const answer = await client.call(policyListAnswer, 'GET', '/admin/policy-versions')
      return show(answer, policyTable(answer.versions))
    }
    case 'policy-publish': {
      const answer = await client.call(policyPublishAnswer, 'POST', '/admin/policy-versions', {
        version: command.version,
        effectiveAt: command.effectiveAt,
        covers: command.covers,
        summary: command.summary,
        reason: command.reason,
      })
      return show(answer, answer.audit ? auditTable([answer.audit]) : `published ${command.version}`)
    }
    case 'privacy-list': {
      const answer = await client.call(privacyListAnswer, 'GET', '/admin/privacy/requests')
      return show(answer, privacyTable(answer.requests))
    }
    case 'privacy-run': {
      const answer = await client.call(privacyRequestAnswer, 'POST', '/admin/privacy/requests', {
        kind: command.request,
        siteId: command.siteId,
        anonymousId: command.anonymousId,
        email: command.email,
        reason: command.reason,
      })
      // The export document is the point of an export: printed whole, after the request's line.
      const result = command.request === 'export' ? `\n\n${JSON.stringify(answer.result, null, 2)}` : ''
      return show(answer, `${privacyTable([answer.request])}${result}`)
    }
    case 'redrive': {
      const answer = await client.call(redriveAnswer, 'POST', `${vendorPath(command.id)}/redrive`, {
        reason: command.reason,
      })
      const moving = answer.moving === null ? 'an unknown number of' : String(answer.moving)
      return show(
        answer,
        `${auditTable([answer.audit])}\n\nmoving ${moving} message(s) back to ${answer.vendor}'s queue`,
      )
    }
  }
}

function changed(audit: AuditEntryRow, seconds: number): string {
  return `${auditTable([audit])}\n\ntakes effect within ${seconds} s`
}
