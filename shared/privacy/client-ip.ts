import { truncateIp } from './ip.ts'

/** Where a request's client address can come from; only `sourceIp` is set by API Gateway itself. */
export interface ClientAddressSource {
  /** API Gateway `requestContext.http.sourceIp`: the peer that connected to API Gateway. */
  sourceIp?: string
  /** `X-Forwarded-For`: client-controlled unless a trusted proxy sits in front. */
  forwardedFor?: string
  /** `CloudFront-Viewer-Address`: `ip:port`, set by CloudFront, never by the client. */
  viewerAddress?: string
}

/**
 * The visitor's truncated IP. Headers count only behind a trusted proxy (`trustProxy`), in this order:
 * CloudFront-Viewer-Address, the first X-Forwarded-For address, then the connecting peer. The first
 * source present decides: if it does not hold an address the result is null, because falling back
 * to the peer would record the proxy's address as the visitor's. The raw address never leaves here.
 */
export function anonymisedClientIp(source: ClientAddressSource, trustProxy: boolean): string | null {
  if (!trustProxy) return truncateIp(source.sourceIp)
  const viewerAddress = nonEmpty(source.viewerAddress)
  if (viewerAddress !== undefined) return truncateIp(hostOfViewerAddress(viewerAddress))
  const forwardedFor = nonEmpty(source.forwardedFor?.split(',', 1)[0])
  if (forwardedFor !== undefined) return truncateIp(hostOfForwardedAddress(forwardedFor))
  return truncateIp(source.sourceIp)
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

/** CloudFront always appends the source port, also to a bare IPv6 address (`2001:db8::1:46532`). */
function hostOfViewerAddress(value: string): string | undefined {
  if (value.startsWith('[')) return insideBrackets(value)
  const portSeparator = value.lastIndexOf(':')
  if (portSeparator <= 0 || !isPort(value.slice(portSeparator + 1))) return undefined
  return value.slice(0, portSeparator)
}

/** X-Forwarded-For holds `ip`, `ip:port`, `[v6]` or `[v6]:port`; a bare IPv6 address carries no port. */
function hostOfForwardedAddress(value: string): string | undefined {
  if (value.startsWith('[')) return insideBrackets(value)
  const colons = value.split(':').length - 1
  if (colons !== 1) return value
  const [host, port] = value.split(':')
  return port !== undefined && isPort(port) ? host : undefined
}

/** `[v6]` or `[v6]:port`. */
function insideBrackets(value: string): string | undefined {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(value)
  if (!match) return undefined
  const port = match[2]
  return port === undefined || isPort(port) ? match[1] : undefined
}

const MAX_PORT = 65_535

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= MAX_PORT
}
