import ipaddr from 'ipaddr.js'

/** `standard` follows Google Analytics' convention; `strict` also drops the third IPv4 octet. */
export type TruncationMode = 'standard' | 'strict'

/** Prefix lengths kept, in bits. IPv6 keeps /48 in both modes (Google's 80 zeroed low bits). */
const IPV4_PREFIX_BITS: Record<TruncationMode, number> = { standard: 24, strict: 16 }
const IPV6_PREFIX_BITS = 48

/** Longest textual IPv6 address with a zone id we bother parsing; anything longer is garbage. */
const MAX_ADDRESS_LENGTH = 128

/**
 * Zeroes the host bits of an IP address: IPv4 keeps /24 (strict /16), IPv6 keeps /48, and an IPv4-mapped
 * IPv6 address is truncated as IPv4 and returned in mapped form. Anything that is not exactly one address
 * (a port, brackets, non-decimal IPv4 like `127.1`, garbage) gives null, never the input.
 */
export function truncateIp(
  input: string | null | undefined,
  mode: TruncationMode = 'standard',
): string | null {
  if (typeof input !== 'string') return null
  const text = input.trim()
  if (text.length === 0 || text.length > MAX_ADDRESS_LENGTH) return null

  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return maskIpv4(ipaddr.IPv4.parse(text), mode).toString()
  }

  const withoutZone = text.split('%', 1)[0] ?? ''
  if (!ipaddr.IPv6.isValid(withoutZone)) return null
  const address = ipaddr.IPv6.parse(withoutZone)
  if (address.isIPv4MappedAddress()) {
    return `::ffff:${maskIpv4(address.toIPv4Address(), mode).toString()}`
  }
  return maskIpv6(address).toString()
}

function maskIpv4(address: ipaddr.IPv4, mode: TruncationMode): ipaddr.IPv4 {
  return new ipaddr.IPv4(maskBytes(address.toByteArray(), IPV4_PREFIX_BITS[mode]))
}

function maskIpv6(address: ipaddr.IPv6): ipaddr.IPv6 {
  return new ipaddr.IPv6(maskBytes(address.toByteArray(), IPV6_PREFIX_BITS))
}

function maskBytes(bytes: number[], prefixBits: number): number[] {
  return bytes.map((byte, index) => {
    const keptBits = Math.min(Math.max(prefixBits - index * 8, 0), 8)
    return byte & ((0xff << (8 - keptBits)) & 0xff)
  })
}
