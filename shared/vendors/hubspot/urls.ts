import { HUBSPOT_MAX_URL_VALUE_CHARS, HUBSPOT_MAX_VALUE_CHARS } from './limits.ts'

/** An absolute http(s) URL: what HubSpot takes as a URL property and as a form's `pageUri`. */
export function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false
  const { protocol } = new URL(text)
  return protocol === 'https:' || protocol === 'http:'
}

/** The longest value HubSpot takes for this property value: 200 for a URL, 50 for anything else. */
export function valueLimit(value: string): number {
  return isHttpUrl(value) ? HUBSPOT_MAX_URL_VALUE_CHARS : HUBSPOT_MAX_VALUE_CHARS
}
