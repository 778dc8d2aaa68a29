import type { PropertyValue } from '#shared/events/model.ts'
import { LINKEDIN_AMOUNT_DECIMALS, LINKEDIN_MAX_AMOUNT } from './limits.ts'
import { CURRENCY_FORMAT, type LinkedinPayload } from './payload.ts'

type ConversionValue = NonNullable<LinkedinPayload['conversionValue']>

/** ISO 4217 codes the runtime knows: a well-formed but unknown code (`XYZ`) is not sent. */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'))

/**
 * `conversionValue` from the track properties `value` (a number ≥ 0) and `currency` (ISO 4217), the
 * amount as the decimal string LinkedIn takes. Absent when the event has neither; when it has one
 * unusable, the trace says why (LinkedIn requires both once `conversionValue` is present).
 */
export function linkedinConversionValue(
  properties: Readonly<Record<string, PropertyValue>>,
  dropped: (field: string, reason: string) => void,
): ConversionValue | undefined {
  const value = Object.hasOwn(properties, 'value') ? properties.value : undefined
  const currency = Object.hasOwn(properties, 'currency') ? properties.currency : undefined
  if ((value === undefined || value === null) && (currency === undefined || currency === null)) {
    return undefined
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > LINKEDIN_MAX_AMOUNT) {
    dropped('conversionValue', `value must be a number from 0 to ${LINKEDIN_MAX_AMOUNT}`)
    return undefined
  }
  const code = typeof currency === 'string' ? currency.trim().toUpperCase() : ''
  if (!CURRENCY_FORMAT.test(code) || !CURRENCIES.has(code)) {
    dropped('conversionValue', 'currency must be an ISO 4217 code')
    return undefined
  }
  return { currencyCode: code, amount: decimalAmount(value) }
}

/** `42.5` → `"42.5"`, `1500` → `"1500"`: fixed-point (never an exponent), trailing zeros cut. */
function decimalAmount(value: number): string {
  const fixed = value.toFixed(LINKEDIN_AMOUNT_DECIMALS)
  let end = fixed.length
  while (fixed.charAt(end - 1) === '0') end -= 1
  if (fixed.charAt(end - 1) === '.') end -= 1
  return fixed.slice(0, end)
}
