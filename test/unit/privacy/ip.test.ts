import fc from 'fast-check'
import ipaddr from 'ipaddr.js'
import { describe, expect, it } from 'vitest'
import { truncateIp } from '#shared/privacy/ip.ts'

const octet = fc.integer({ min: 0, max: 255 })
const ipv4Octets = fc.tuple(octet, octet, octet, octet)
const group = fc.integer({ min: 0, max: 0xffff })
const isMapped = (groups: number[]) => groups.slice(0, 5).every((part) => part === 0) && groups[5] === 0xffff
const ipv6Groups = fc.array(group, { minLength: 8, maxLength: 8 }).filter((groups) => !isMapped(groups))
/** Arbitrary text, and text made of address characters so that valid and near-valid addresses come up. */
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.stringMatching(/^[0-9a-fA-F:.%[\] ]{0,45}$/))
const zoneId = fc.stringMatching(/^[a-z0-9]{1,15}$/)

function expectedIpv6(groups: number[]): number[] {
  return [...groups.slice(0, 3), 0, 0, 0, 0, 0]
}

describe('truncateIp', () => {
  describe('vendors.md §7.3 vectors', () => {
    it('drops the last octet of an IPv4 address', () => {
      expect(truncateIp('203.0.113.77')).toBe('203.0.113.0')
    })

    it('drops the last two octets of an IPv4 address in strict mode', () => {
      expect(truncateIp('203.0.113.77', 'strict')).toBe('203.0.0.0')
    })

    it('keeps the first 48 bits of an IPv6 address', () => {
      expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::')
    })

    it('truncates an IPv4-mapped IPv6 address as IPv4 and keeps the mapped form', () => {
      expect(truncateIp('::ffff:198.51.100.9')).toBe('::ffff:198.51.100.0')
    })
  })

  describe('edge cases', () => {
    it('keeps /48 for IPv6 in strict mode too', () => {
      expect(truncateIp('2001:db8:85a3:8d3::1', 'strict')).toBe('2001:db8:85a3::')
    })

    it('truncates a mapped address written in hex as IPv4', () => {
      expect(truncateIp('::ffff:c633:6409')).toBe('::ffff:198.51.100.0')
    })

    it('strips a zone id before truncating', () => {
      expect(truncateIp('fe80::1ff:fe23:4567:890a%eth0')).toBe('fe80::')
    })

    it('ignores surrounding whitespace', () => {
      expect(truncateIp(' 198.51.100.23\t')).toBe('198.51.100.0')
    })

    it.each([
      ['an IPv4 address with a port', '203.0.113.77:8080'],
      ['a bracketed IPv6 address', '[2001:db8::1]'],
      ['a bracketed IPv6 address with a port', '[2001:db8::1]:443'],
      ['a shortened IPv4 address', '127.1'],
      ['a hexadecimal IPv4 address', '0x7f.0.0.1'],
      ['an IPv4 octet with a leading zero', '010.1.1.1'],
      ['an IPv4 octet above 255', '203.0.113.256'],
      ['an IPv4 address with a zone id', '203.0.113.77%eth0'],
      ['two double colons', '2001::db8::1'],
      ['a host name', 'example.com'],
      ['an empty string', ''],
      ['only a zone id', '%eth0'],
      ['an address list', '203.0.113.77, 198.51.100.1'],
    ])('returns null for %s', (_, input) => {
      expect(truncateIp(input)).toBeNull()
    })

    it('returns null for a missing address', () => {
      expect(truncateIp(undefined)).toBeNull()
      expect(truncateIp(null)).toBeNull()
    })
  })

  describe('properties', () => {
    it('never throws and returns null or an address it would leave unchanged', () => {
      fc.assert(
        fc.property(anyText, fc.constantFrom('standard', 'strict'), (input, mode) => {
          const result = truncateIp(input, mode)
          expect(result === null || truncateIp(result, mode) === result).toBe(true)
        }),
      )
    })

    it('zeroes exactly the last octet of any IPv4 address', () => {
      fc.assert(
        fc.property(ipv4Octets, ([a, b, c, d]) => {
          expect(truncateIp(`${a}.${b}.${c}.${d}`)).toBe(`${a}.${b}.${c}.0`)
        }),
      )
    })

    it('zeroes exactly the last two octets of any IPv4 address in strict mode', () => {
      fc.assert(
        fc.property(ipv4Octets, ([a, b, c, d]) => {
          expect(truncateIp(`${a}.${b}.${c}.${d}`, 'strict')).toBe(`${a}.${b}.0.0`)
        }),
      )
    })

    it('zeroes the low 80 bits of any IPv6 address, written out or compressed', () => {
      fc.assert(
        fc.property(ipv6Groups, fc.boolean(), (groups, compressed) => {
          const input = compressed
            ? new ipaddr.IPv6(groups).toString()
            : groups.map((part) => part.toString(16).toUpperCase()).join(':')
          const result = truncateIp(input)
          expect(result).not.toBeNull()
          expect(ipaddr.IPv6.parse(result ?? '').parts).toEqual(expectedIpv6(groups))
          expect(result).toBe(new ipaddr.IPv6(expectedIpv6(groups)).toString())
        }),
      )
    })

    it('truncates any IPv4-mapped IPv6 address as IPv4 in mapped form', () => {
      fc.assert(
        fc.property(ipv4Octets, fc.constantFrom('standard', 'strict'), ([a, b, c, d], mode) => {
          const expected = mode === 'strict' ? `::ffff:${a}.${b}.0.0` : `::ffff:${a}.${b}.${c}.0`
          expect(truncateIp(`::ffff:${a}.${b}.${c}.${d}`, mode)).toBe(expected)
        }),
      )
    })

    it('drops the zone id of any IPv6 address and truncates the rest', () => {
      fc.assert(
        fc.property(ipv6Groups, zoneId, (groups, zone) => {
          const result = truncateIp(`${new ipaddr.IPv6(groups).toString()}%${zone}`)
          expect(result).toBe(new ipaddr.IPv6(expectedIpv6(groups)).toString())
          expect(result).not.toContain('%')
        }),
      )
    })

    it('returns null for any IPv4 address with a port or in brackets', () => {
      fc.assert(
        fc.property(ipv4Octets, fc.integer({ min: 0, max: 65_535 }), ([a, b, c, d], port) => {
          expect(truncateIp(`${a}.${b}.${c}.${d}:${port}`)).toBeNull()
          expect(truncateIp(`[${a}.${b}.${c}.${d}]`)).toBeNull()
        }),
      )
    })

    it('returns null for any text without digits or colons', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[^0-9:]*$/), (input) => {
          expect(truncateIp(input)).toBeNull()
        }),
      )
    })
  })
})
