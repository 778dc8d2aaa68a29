import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'

/** Settings hold no visitor data, so browsers and shared caches may keep them briefly. */
export const SETTINGS_MAX_AGE_SECONDS = 300

export interface SettingsRequest {
  writeKey: string
  /** Host (and port) the request came to, as the client addressed it. */
  host: string
  /** Path before `/v1/projects/…` (a stage name, or empty). */
  basePath: string
  protocol: 'http' | 'https'
}

/**
 * What analytics.js (analytics-next) reads from `${cdnURL}/v1/projects/${writeKey}/settings`, answered
 * so that it sends events here and loads nothing else: `integrations['Segment.io']` carries the write
 * key and `apiHost` (host and path, no scheme: analytics.js adds `protocol`); no other integration,
 * remote plugin, middleware or routing rule, so it fetches no bundle from any CDN; and remote metrics
 * off (`sampleRate: 0`), which would otherwise go to api.segment.io.
 * Null for a write key no site owns.
 */
export function segmentSettings(config: DeploymentConfig, request: SettingsRequest): object | null {
  const known = config.sites.some((site) => site.writeKeys.includes(request.writeKey))
  if (!known) return null
  return {
    integrations: {
      'Segment.io': {
        apiKey: request.writeKey,
        apiHost: `${request.host}${request.basePath}/v1`,
        protocol: request.protocol,
        addBundledMetadata: false,
        unbundledIntegrations: [],
        maybeBundledConfigIds: {},
        retryQueue: true,
      },
    },
    plan: {},
    enabledMiddleware: {},
    middlewareSettings: {},
    remotePlugins: [],
    legacyVideoPluginsEnabled: false,
    metrics: { sampleRate: 0 },
  }
}
