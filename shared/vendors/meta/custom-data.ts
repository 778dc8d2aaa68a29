import type { PropertyValue } from '#shared/events/model.ts'
import { lazy } from '#shared/lib/lazy.ts'
import { containsPii } from '#shared/privacy/pii.ts'
import { META_MAX_CUSTOM_TEXT_CHARS } from './limits.ts'
import { CURRENCY_FORMAT, type MetaPayload } from './payload.ts'

type CustomData = NonNullable<MetaPayload['custom_data']>

/** ISO 4217 codes the runtime knows: a well-formed but unknown code (`XYZ`) is not sent. */
// Built on first use: most events carry no currency, and cold start should not pay for ICU's list.
const currencies = lazy((): ReadonlySet<string> => new Set(Intl.supportedValuesOf('currency')))

/**
 * `custom_data` from the allow-listed properties, under their own names: `value` only as a number
 * ≥ 0, `currency` only as a known ISO 4217 code (upper-cased), `content_ids` as a one-id list. Text
 * that looks personal is dropped although the collector screened it. Absent when nothing is left.
 */
export function metaCustomData(
  properties: Readonly<Record<string, PropertyValue>>,
  allowList: ReadonlyArray<string>,
  dropped: (field: string, reason: string) => void,
): CustomData | undefined {
  const data: CustomData = {}
  for (const name of allowList) {
    if (!Object.hasOwn(properties, name)) continue
    const value = properties[name]
    if (value === undefined || value === null) continue
    const field = `custom_data.${name}`
    const result = customValue(name, value)
    if (result.ok) data[name] = result.value
    else dropped(field, result.reason)
  }
  return Object.keys(data).length > 0 ? data : undefined
}

type ValueResult = { ok: true; value: CustomData[string] } | { ok: false; reason: string }

function customValue(name: string, value: string | number | boolean): ValueResult {
  if (name === 'value') {
    return typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? { ok: true, value: withoutNegativeZero(value) }
      : { ok: false, reason: 'value must be a number ≥ 0' }
  }
  if (name === 'currency') {
    const code = typeof value === 'string' ? value.trim().toUpperCase() : ''
    return CURRENCY_FORMAT.test(code) && currencies().has(code)
      ? { ok: true, value: code }
      : { ok: false, reason: 'currency must be an ISO 4217 code' }
  }
  if (typeof value === 'boolean') return name === 'content_ids' ? notAnId() : { ok: true, value }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: 'not a finite number' }
    const number = withoutNegativeZero(value)
    return name === 'content_ids' ? { ok: true, value: [String(number)] } : { ok: true, value: number }
  }
  const text = value.trim()
  if (text === '' || text.length > META_MAX_CUSTOM_TEXT_CHARS) {
    return { ok: false, reason: `empty or longer than ${META_MAX_CUSTOM_TEXT_CHARS} characters` }
  }
  if (containsPii(text)) return { ok: false, reason: 'looks like personal data' }
  return name === 'content_ids' ? { ok: true, value: [text] } : { ok: true, value: text }
}

function notAnId(): ValueResult {
  return { ok: false, reason: 'content_ids must come from a string or number property' }
}

/** JSON has no -0: the queued payload must read back as it was written. */
function withoutNegativeZero(value: number): number {
  return value + 0
}
