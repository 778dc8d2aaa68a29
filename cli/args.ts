import { parseArgs } from 'node:util'
import { PRIVACY_REQUEST_KINDS, type PrivacyRequestKind } from '#shared/admin/api.ts'
import { PURPOSES, type Purpose } from '#shared/consent/model.ts'
import { type Assignment, parseAssignment } from './settings-path.ts'

export const DEFAULT_UI_PORT = 8790

export type Command =
  | { kind: 'help' }
  | { kind: 'vendors-list' }
  | { kind: 'vendors-show'; id: string }
  | { kind: 'vendors-enable' | 'vendors-disable'; id: string; reason?: string }
  | { kind: 'vendors-set'; id: string; assignments: Assignment[]; reason?: string }
  | { kind: 'audit'; from?: string; to?: string; limit?: number }
  | { kind: 'policy-list' }
  | {
      kind: 'policy-publish'
      version: string
      effectiveAt: string
      covers: Partial<Record<string, Purpose[]>>
      summary?: string
      reason?: string
    }
  | { kind: 'redrive'; id: string; reason?: string }
  | { kind: 'privacy-list' }
  | {
      kind: 'privacy-run'
      request: PrivacyRequestKind
      siteId: string
      anonymousId: string
      email?: string
      reason?: string
    }
  | { kind: 'ui'; port: number }

export interface Invocation {
  command: Command
  url?: string
  token?: string
  json: boolean
}

export type Parsed = { ok: true; invocation: Invocation } | { ok: false; error: string }

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  reason: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  effective: { type: 'string' },
  covers: { type: 'string' },
  summary: { type: 'string' },
  port: { type: 'string' },
  site: { type: 'string' },
  visitor: { type: 'string' },
  email: { type: 'string' },
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values']

class ArgsError extends Error {
  override name = 'ArgsError'
}

/** argv after `tagwarden` → what to do, or the reason it is not a valid command line. */
export function parseCommandLine(argv: string[]): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true })
    const command =
      values.help || positionals.length === 0 ? { kind: 'help' as const } : toCommand(positionals, values)
    return {
      ok: true,
      invocation: { command, url: values.url, token: values.token, json: values.json ?? false },
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}

function toCommand(positionals: string[], values: Values): Command {
  const [scope, ...rest] = positionals
  if (scope !== 'admin') throw new ArgsError(`unknown command "${scope}"`)
  const [group, action, ...operands] = rest
  const reason = values.reason
  switch (group) {
    case 'vendors':
      switch (action) {
        case 'list':
          return noOperands(operands, { kind: 'vendors-list' })
        case 'show':
          return { kind: 'vendors-show', id: oneId(operands) }
        case 'enable':
          return { kind: 'vendors-enable', id: oneId(operands), reason }
        case 'disable':
          return { kind: 'vendors-disable', id: oneId(operands), reason }
        case 'set':
          return setCommand(operands, reason)
      }
      throw new ArgsError(`unknown vendors command "${action ?? ''}"`)
    case 'audit':
      return noOperands(
        [action, ...operands].filter((operand) => operand !== undefined),
        {
          kind: 'audit',
          from: isoOption('from', values.from),
          to: isoOption('to', values.to),
          limit: values.limit === undefined ? undefined : positiveInteger('limit', values.limit),
        },
      )
    case 'policy':
      if (action === 'list') return noOperands(operands, { kind: 'policy-list' })
      if (action === 'publish') return publishCommand(operands, values)
      throw new ArgsError(`unknown policy command "${action ?? ''}"`)
    case 'privacy':
      return privacyCommand(action, operands, values)
    case 'redrive':
      return {
        kind: 'redrive',
        id: oneId([action, ...operands].filter((operand) => operand !== undefined)),
        reason,
      }
    case 'ui':
      return noOperands(
        [action, ...operands].filter((operand) => operand !== undefined),
        {
          kind: 'ui',
          port: values.port === undefined ? DEFAULT_UI_PORT : port(values.port),
        },
      )
  }
  throw new ArgsError(`unknown admin command "${group ?? ''}"`)
}

function setCommand(operands: string[], reason: string | undefined): Command {
  const [id, ...pairs] = operands
  if (id === undefined) throw new ArgsError('a vendor id is needed')
  if (pairs.length === 0) throw new ArgsError('at least one key=value is needed')
  const assignments = pairs.map((pair) => {
    const assignment = parseAssignment(pair)
    if ('error' in assignment) throw new ArgsError(assignment.error)
    return assignment
  })
  return { kind: 'vendors-set', id, assignments, reason }
}

function publishCommand(operands: string[], values: Values): Command {
  const [version, ...extra] = operands
  if (version === undefined || extra.length > 0) throw new ArgsError('exactly one policy version is needed')
  if (values.effective === undefined) throw new ArgsError('--effective ISO is needed')
  if (values.covers === undefined) throw new ArgsError('--covers vendor:purpose,… is needed')
  return {
    kind: 'policy-publish',
    version,
    effectiveAt: isoOption('effective', values.effective) ?? values.effective,
    covers: parseCovers(values.covers),
    summary: values.summary,
    reason: values.reason,
  }
}

function privacyCommand(action: string | undefined, operands: string[], values: Values): Command {
  if (action === 'list') return noOperands(operands, { kind: 'privacy-list' })
  const request = PRIVACY_REQUEST_KINDS.find((kind) => kind === action)
  if (request === undefined) throw new ArgsError(`unknown privacy command "${action ?? ''}"`)
  if (values.site === undefined) throw new ArgsError('--site S is needed')
  if (values.visitor === undefined) throw new ArgsError('--visitor ID is needed')
  if (values.email !== undefined && request !== 'erase') throw new ArgsError('--email is only taken by erase')
  return noOperands(operands, {
    kind: 'privacy-run',
    request,
    siteId: values.site,
    anonymousId: values.visitor,
    email: values.email,
    reason: values.reason,
  })
}

/** `ga4:analytics,meta:marketing,ga4:marketing` → `{ ga4: [analytics, marketing], meta: [marketing] }` */
export function parseCovers(text: string): Partial<Record<string, Purpose[]>> {
  const covers: Partial<Record<string, Purpose[]>> = {}
  for (const item of text.split(',')) {
    const [vendor, purpose, ...extra] = item.trim().split(':')
    const known = PURPOSES.find((candidate) => candidate === purpose)
    if (!vendor || known === undefined || extra.length > 0) {
      throw new ArgsError(`--covers: expected vendor:${PURPOSES.join('|')}, got "${item}"`)
    }
    const purposes = covers[vendor] ?? []
    if (!purposes.includes(known)) purposes.push(known)
    covers[vendor] = purposes
  }
  return covers
}

function oneId(operands: string[]): string {
  if (operands.length !== 1 || operands[0] === undefined)
    throw new ArgsError('exactly one vendor id is needed')
  return operands[0]
}

function noOperands<T>(operands: unknown[], command: T): T {
  if (operands.length > 0) throw new ArgsError(`unexpected argument "${String(operands[0])}"`)
  return command
}

function isoOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (Number.isNaN(Date.parse(value))) throw new ArgsError(`--${name}: not an ISO 8601 date "${value}"`)
  return value
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new ArgsError(`--${name}: expected a positive integer`)
  return value
}

function port(text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ArgsError('--port: expected 0–65535')
  return value
}
