/** What a site's page may call; the queue stub (README) holds the same calls until the tag loads. */
export interface Purposes {
  analytics: boolean
  marketing: boolean
}

export type Properties = Record<string, unknown>

/** One Segment-compatible call as the tag sends it (no anonymousId: the server takes its cookie's). */
export interface TagEvent {
  type: 'page' | 'track' | 'identify'
  messageId: string
  timestamp: string
  event?: string
  properties?: Properties
  traits?: Properties
  context: { page: { url: string; path: string; title: string; referrer: string }; locale: string }
}
