import type { PropertyValue } from '#shared/events/model.ts'
import { containsPii } from '#shared/privacy/pii.ts'
import { HUBSPOT_MAX_PROPERTIES, HUBSPOT_MAX_URL_VALUE_CHARS } from './limits.ts'
import { isHttpUrl, valueLimit } from './urls.ts'

type Dropped = (field: string, reason: string) => void

/**
 * The event's properties HubSpot may receive: only allow-listed names, each as text within HubSpot's
 * limits (a URL ≤ 200 characters, other values ≤ 50), at most 50. A value over a limit is left out,
 * not cut (a cut URL or code would be a different one). Text that looks personal is dropped although
 * the collector screened it.
 */
export function hubspotProperties(
  properties: Readonly<Record<string, PropertyValue>>,
  allowList: ReadonlyArray<string>,
  pageUrl: { name: string; url: string | undefined } | undefined,
  dropped: Dropped,
): Record<string, string> {
  const result: Record<string, string> = {}
  let count = 0
  const add = (name: string, value: string): void => {
    if (Object.hasOwn(result, name)) return
    if (count >= HUBSPOT_MAX_PROPERTIES) {
      dropped(`properties.${name}`, `HubSpot takes at most ${HUBSPOT_MAX_PROPERTIES} properties`)
      return
    }
    result[name] = value
    count += 1
  }
  if (pageUrl !== undefined) {
    const url = pageUrl.url
    if (url === undefined || !isHttpUrl(url))
      dropped(`properties.${pageUrl.name}`, 'no absolute http(s) page URL')
    else if (url.length > HUBSPOT_MAX_URL_VALUE_CHARS) {
      dropped(`properties.${pageUrl.name}`, `page URL longer than ${HUBSPOT_MAX_URL_VALUE_CHARS} characters`)
    } else add(pageUrl.name, url)
  }
  for (const name of allowList) {
    if (!Object.hasOwn(properties, name)) continue
    const value = properties[name]
    if (value === undefined || value === null) continue
    const text = asText(value)
    if (text === null) {
      dropped(`properties.${name}`, 'not a finite number')
      continue
    }
    const limit = valueLimit(text)
    if (text.length > limit) dropped(`properties.${name}`, `longer than ${limit} characters`)
    else if (containsPii(text)) dropped(`properties.${name}`, 'looks like personal data')
    else add(name, text)
  }
  return result
}

function asText(value: string | number | boolean): string | null {
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return Number.isFinite(value) ? String(value) : null
}
