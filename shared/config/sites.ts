import { createHash, timingSafeEqual } from 'node:crypto'
import { ClientError, ForbiddenOriginError, UnauthorizedError } from '#shared/http/errors.ts'
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

/** A server key from `Authorization: Bearer <key>`; null for any other scheme. */
export function bearerFromAuthorization(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i)
  return match?.[1] ?? null
}

const digest = (key: string): Buffer => createHash('sha256').update(key).digest()

/**
 * The site whose server key this is, or undefined. Every configured key is compared, each in constant
 * time over equal-length digests, so neither timing nor an early exit tells how much of a guess matched.
 */
export function siteOfServerKey(config: DeploymentConfig, key: string | null): SiteConfig | undefined {
  if (!key) return undefined
  const given = digest(key)
  let found: SiteConfig | undefined
  for (const site of config.sites) {
    for (const serverKey of site.serverKeys) {
      if (timingSafeEqual(digest(serverKey), given) && !found) found = site
    }
  }
  return found
}

export class ServerKeyFromBrowserError extends ClientError {
  override name = 'ServerKeyFromBrowserError'
  constructor() {
    super(403, 'a server key is never accepted from a browser (the request has an Origin)', 'authorization')
  }
}

/** Who is asking: a browser (or client) with the site's public write key, or the site's backend. */
export interface Caller {
  site: SiteConfig
  kind: 'browser' | 'server'
}

export interface Credentials {
  authorization: string | undefined
  origin: string | undefined
  /** The write key a body or query string carries (a server key is never taken from either). */
  writeKey?: string | undefined
}

/**
 * A server key in `Authorization` (Bearer, or Basic as analytics-node sends a write key) makes the
 * backend the caller, refused outright with an Origin; otherwise the write key and origin checks apply.
 */
export function resolveCaller(config: DeploymentConfig, credentials: Credentials): Caller {
  const fromHeader =
    bearerFromAuthorization(credentials.authorization) ?? writeKeyFromAuthorization(credentials.authorization)
  const serverSite = siteOfServerKey(config, fromHeader)
  if (serverSite) {
    if (credentials.origin !== undefined) throw new ServerKeyFromBrowserError()
    return { site: serverSite, kind: 'server' }
  }
  const writeKey = bearerFromAuthorization(credentials.authorization)
    ? null
    : (fromHeader ?? credentials.writeKey)
  const site = resolveSite(config, writeKey)
  assertOriginAllowed(site, credentials.origin)
  return { site, kind: 'browser' }
}
