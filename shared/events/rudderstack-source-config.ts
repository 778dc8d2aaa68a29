import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'

/**
 * What RudderStack's JS SDK v3 needs from a control plane before it sends anything
 * (`GET ${configUrl}?writeKey=…`, see its isValidSourceConfig): a source with an id, a config and a
 * list of device-mode destinations. Answered so that the SDK loads no destination SDK from a CDN
 * (no destinations) and reports neither errors nor metrics to RudderStack (statsCollection off).
 * Null for a write key no site owns.
 */
export function rudderstackSourceConfig(config: DeploymentConfig, writeKey: string): object | null {
  const site = config.sites.find((candidate) => candidate.writeKeys.includes(writeKey))
  if (!site) return null
  return {
    isHosted: false,
    source: {
      id: `tagwarden-${site.id}`,
      name: site.id,
      writeKey,
      workspaceId: 'tagwarden',
      enabled: true,
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  }
}
