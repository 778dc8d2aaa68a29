import ipaddr from 'ipaddr.js'
import { truncateIp } from '../ip.ts'
import { type Detection, isAsciiDigit, isWordCharAt } from './detection.ts'

/** `ffff:ffff:…:255.255.255.255` is 45 characters: no textual IPv6 address is longer. */
const MAX_IPV6_CHARS = 45
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)/g

/**
 * IPv4 and IPv6 addresses anywhere in text (`/host/203.0.113.48/status`, `Your IP is 2001:db8::1.`),
 * each reported with its truncated form (IPv4 /24, IPv6 /48) as replacement. An address that is already
 * truncated identifies no one and is not reported. IPv6 candidates are maximal runs of hex digits, colons
 * and dots with two colons or more, read once each; IPv4 is a regex with bounded repeats only.
 */
export function findIpAddresses(text: string): Detection[] {
  const v6 = text.includes(':') ? findIpv6(text) : []
  const v4 = text.includes('.')
    ? findIpv4(text).filter((found) => !v6.some((other) => overlaps(found, other)))
    : []
  return [...v6, ...v4].sort((a, b) => a.start - b.start)
}

function findIpv4(text: string): Detection[] {
  const found: Detection[] = []
  for (const match of text.matchAll(IPV4)) {
    const address = match[0]
    if (!ipaddr.IPv4.isValidFourPartDecimal(address)) continue
    const detection = identifying(address, match.index)
    if (detection) found.push(detection)
  }
  return found
}

function findIpv6(text: string): Detection[] {
  const found: Detection[] = []
  let index = 0
  while (index < text.length) {
    if (!isIpv6Char(text.charCodeAt(index))) {
      index++
      continue
    }
    const start = index
    let colons = 0
    while (index < text.length && isIpv6Char(text.charCodeAt(index))) {
      if (text.charCodeAt(index) === 0x3a) colons++
      index++
    }
    let end = index
    while (end > start && text.charAt(end - 1) === '.') end--
    const glued = isWordCharAt(text, start - 1) || isWordCharAt(text, index) || text.charAt(index) === '_'
    if (colons < 2 || glued || end - start > MAX_IPV6_CHARS) continue
    const address = text.slice(start, end)
    if (!ipaddr.IPv6.isValid(address)) continue
    const detection = identifying(address, start)
    if (detection) found.push(detection)
  }
  return found
}

function isIpv6Char(code: number): boolean {
  return (
    isAsciiDigit(code) ||
    (code >= 0x41 && code <= 0x46) ||
    (code >= 0x61 && code <= 0x66) ||
    code === 0x3a ||
    code === 0x2e
  )
}

function identifying(address: string, start: number): Detection | undefined {
  const truncated = truncateIp(address)
  if (truncated === null || sameAddress(truncated, address)) return undefined
  return { detector: 'ip', start, end: start + address.length, replacement: truncated }
}

function sameAddress(a: string, b: string): boolean {
  return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString()
}

function overlaps(a: Detection, b: Detection): boolean {
  return a.start < b.end && b.start < a.end
}
