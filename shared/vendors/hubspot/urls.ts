/** An absolute http(s) URL: what HubSpot takes as a URL property and as a form's `pageUri`. */
export function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false
  const { protocol } = new URL(text)
  return protocol === 'https:' || protocol === 'http:'
}
