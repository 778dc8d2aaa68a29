import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { anonymisedClientIp } from '#shared/privacy/client-ip.ts'
import { truncateIp } from '#shared/privacy/ip.ts'

const octet = fc.integer({ min: 0, max: 255 })
const ipv4 = fc.tuple(octet, octet, octet, octet).map((octets) => octets.join('.'))
const port = fc.integer({ min: 0, max: 65_535 })

describe('anonymisedClientIp', () => {
  describe('without a trusted proxy', () => {
    it('takes the truncated API Gateway source address', () => {
      expect(anonymisedClientIp({ sourceIp: '198.51.100.23' }, false)).toBe('198.51.100.0')
    })

    it('ignores forwarding headers, which the client can forge', () => {
      const source = {
        sourceIp: '198.51.100.23',
        forwardedFor: '203.0.113.9',
        viewerAddress: '192.0.2.1:443',
      }

      expect(anonymisedClientIp(source, false)).toBe('198.51.100.0')
    })

    it('returns null when there is no source address', () => {
      expect(anonymisedClientIp({ forwardedFor: '203.0.113.9' }, false)).toBeNull()
    })
  })

  describe('behind a trusted proxy', () => {
    it('prefers the CloudFront viewer address and drops its port', () => {
      const source = {
        sourceIp: '10.0.0.1',
        forwardedFor: '203.0.113.9',
        viewerAddress: '198.51.100.10:46532',
      }

      expect(anonymisedClientIp(source, true)).toBe('198.51.100.0')
    })

    it('reads a bare IPv6 viewer address with its port appended', () => {
      expect(anonymisedClientIp({ viewerAddress: '2001:db8:85a3:8d3::7348:46532' }, true)).toBe(
        '2001:db8:85a3::',
      )
    })

    it('reads a bracketed IPv6 viewer address with a port', () => {
      expect(anonymisedClientIp({ viewerAddress: '[2001:db8:85a3::7348]:443' }, true)).toBe('2001:db8:85a3::')
    })

    it('takes the first X-Forwarded-For address when there is no viewer address', () => {
      const source = { sourceIp: '10.0.0.1', forwardedFor: ' 203.0.113.9 , 10.0.0.2, 10.0.0.3' }

      expect(anonymisedClientIp(source, true)).toBe('203.0.113.0')
    })

    it.each([
      ['an IPv4 address with a port', '203.0.113.9:5123', '203.0.113.0'],
      ['a bare IPv6 address', '2001:db8:85a3:8d3::1', '2001:db8:85a3::'],
      ['a bracketed IPv6 address', '[2001:db8:85a3::1]', '2001:db8:85a3::'],
      ['a bracketed IPv6 address with a port', '[2001:db8:85a3::1]:5123', '2001:db8:85a3::'],
      ['an IPv4-mapped IPv6 address', '::ffff:203.0.113.9', '::ffff:203.0.113.0'],
    ])('reads %s from X-Forwarded-For', (_, forwardedFor, expected) => {
      expect(anonymisedClientIp({ forwardedFor }, true)).toBe(expected)
    })

    it('falls back to the source address when no header is present', () => {
      expect(anonymisedClientIp({ sourceIp: '198.51.100.23', forwardedFor: '  ' }, true)).toBe('198.51.100.0')
    })

    it.each([
      ['a viewer address without a port', { viewerAddress: '198.51.100.10' }],
      ['a viewer address with a port out of range', { viewerAddress: '198.51.100.10:70000' }],
      ['an unparseable forwarded address', { forwardedFor: 'unknown, 198.51.100.10' }],
      ['a forwarded address with a bad port', { forwardedFor: '198.51.100.10:http' }],
      ['an unclosed bracket', { forwardedFor: '[2001:db8::1' }],
    ])('returns null for %s rather than the proxy address', (_, headers) => {
      expect(anonymisedClientIp({ sourceIp: '10.0.0.1', ...headers }, true)).toBeNull()
    })
  })

  describe('properties', () => {
    it('returns the truncation of any viewer address, never the address itself', () => {
      fc.assert(
        fc.property(ipv4, port, (address, sourcePort) => {
          const result = anonymisedClientIp({ viewerAddress: `${address}:${sourcePort}` }, true)

          expect(result).toBe(truncateIp(address))
          expect(result?.endsWith('.0')).toBe(true)
        }),
      )
    })

    it('returns the truncation of the first of any forwarded addresses', () => {
      fc.assert(
        fc.property(fc.array(ipv4, { minLength: 1, maxLength: 5 }), (addresses) => {
          expect(anonymisedClientIp({ forwardedFor: addresses.join(', ') }, true)).toBe(
            truncateIp(addresses[0]),
          )
        }),
      )
    })

    it('never throws for any header values', () => {
      fc.assert(
        fc.property(
          fc.string(),
          fc.string(),
          fc.string(),
          fc.boolean(),
          (sourceIp, forwardedFor, viewer, trust) => {
            const result = anonymisedClientIp({ sourceIp, forwardedFor, viewerAddress: viewer }, trust)

            expect(result === null || truncateIp(result) === result).toBe(true)
          },
        ),
      )
    })
  })
})
