import type { AuditEntry } from './api.ts'

type Diff = AuditEntry['diff']

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** RFC 6901 escaping, so a key holding `/` or `~` still names one leaf. */
const escapeKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')

/**
 * Each changed leaf between two JSON values, as JSON-pointer paths (`/enabled`, `/transfer/safeguard`).
 * Objects are walked key by key; anything else (arrays included) is one leaf compared as JSON. A leaf
 * that is absent on one side has no `before` (added) or no `after` (removed).
 */
export function leafDiff(before: unknown, after: unknown, path = ''): Diff {
  const walkable = (value: unknown) => isPlainObject(value) || value === undefined
  if ((isPlainObject(before) || isPlainObject(after)) && walkable(before) && walkable(after)) {
    const from = isPlainObject(before) ? before : {}
    const to = isPlainObject(after) ? after : {}
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()
    return keys.flatMap((key) => leafDiff(from[key], to[key], `${path}/${escapeKey(key)}`))
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  return [
    {
      path: path || '/',
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
    },
  ]
}
