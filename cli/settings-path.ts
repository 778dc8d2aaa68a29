/** One `key=value` of `admin vendors set`: a dot path into the settings object and its new value. */
export interface Assignment {
  path: string[]
  value: unknown
}

/** Keys that would reach an object's prototype instead of the settings. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** `a.b=1` → path [a, b], value 1. A value that parses as JSON is that JSON; anything else is the string. */
export function parseAssignment(text: string): Assignment | { error: string } {
  const equals = text.indexOf('=')
  if (equals <= 0) return { error: `expected key=value, got "${text}"` }
  const path = text.slice(0, equals).split('.')
  if (path.some((part) => part === ''))
    return { error: `empty segment in the path "${text.slice(0, equals)}"` }
  const reserved = path.find((part) => RESERVED_KEYS.has(part))
  if (reserved !== undefined) return { error: `"${reserved}" cannot be a settings key` }
  return { path, value: parseValue(text.slice(equals + 1)) }
}

export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A copy of `settings` with each assignment made, creating objects along a path where there were none. */
export function applyAssignments(
  settings: Record<string, unknown> | null,
  assignments: Assignment[],
): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(settings ?? {})
  for (const { path, value } of assignments) {
    let node = result
    for (const key of path.slice(0, -1)) {
      const next = Object.hasOwn(node, key) ? node[key] : undefined
      if (isPlainObject(next)) node = next
      else {
        const created: Record<string, unknown> = {}
        node[key] = created
        node = created
      }
    }
    const last = path.at(-1)
    if (last !== undefined) node[last] = value
  }
  return result
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
