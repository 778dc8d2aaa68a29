import type { Purposes } from './types.ts'

type Entry = ArrayLike<unknown> | undefined
type Granted = Record<string, unknown>

/**
 * Google Consent Mode v2 over `window.dataLayer`: gtag pushes its `arguments` object, e.g.
 * `['consent', 'update', { analytics_storage: 'granted' }]`. A `default` is the site's starting point,
 * not the visitor's choice: it is remembered and only an `update` decides.
 */
export function bridgeConsentMode(decide: (purposes: Purposes) => void): void {
  const w = window as unknown as { dataLayer?: Entry[] }
  w.dataLayer = w.dataLayer || []
  const layer = w.dataLayer
  const state: Granted = {}
  const read = (entry: Entry) => {
    const settings = entry?.[2]
    if (entry?.[0] !== 'consent' || !settings) return
    Object.assign(state, settings)
    const granted = (key: string) => state[key] === 'granted'
    if (entry[1] === 'update') {
      decide({
        analytics: granted('analytics_storage'),
        marketing: granted('ad_user_data') && granted('ad_personalization'),
      })
    }
  }
  layer.forEach(read)
  const push = layer.push
  layer.push = (...entries: Entry[]) => {
    entries.forEach(read)
    return push.apply(layer, entries)
  }
}
