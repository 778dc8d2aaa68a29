import { ForbiddenOriginError, UnauthorizedError } from '#shared/http/errors.ts'
import type { DeploymentConfig, SiteConfig } from './deployment-schema.ts'

/** The write key from `Authorization: Basic base64(writeKey:)`, as Segment clients send it. */
export function writeKeyFromAuthorization(header: string | undefined): string | null {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i)
  if (!match?.[1]) return null
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const writeKey = decoded.split(':')[0]
  return writeKey ? writeKey : null
}

/** The site a write key belongs to; an unknown or missing key is a 401. */
export function resolveSite(config: DeploymentConfig, writeKey: string | null | undefined): SiteConfig {
  const site = writeKey ? config.sites.find((candidate) => candidate.writeKeys.includes(writeKey)) : undefined
  if (!site) throw new UnauthorizedError()
  return site
}

/**
 * Browsers send Origin on cross-origin POSTs, so a foreign origin is refused (403). Server-side clients
 * and pixels loaded without one are accepted on the strength of the write key alone. `Origin: null`
 * (sandboxed iframes, file: pages, some redirects) hides where the request came from: refused.
 */
export function assertOriginAllowed(site: SiteConfig, origin: string | undefined): void {
  if (origin === undefined || origin === '') return
  if (!site.allowedOrigins.includes(origin)) throw new ForbiddenOriginError()
}

export function isOriginOfAnySite(config: DeploymentConfig, origin: string | undefined): boolean {
  return origin !== undefined && config.sites.some((site) => site.allowedOrigins.includes(origin))
}
