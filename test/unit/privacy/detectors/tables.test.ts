import { describe, expect, it } from 'vitest'
import { findCards } from '#shared/privacy/detectors/card.ts'
import { findEmails } from '#shared/privacy/detectors/email.ts'
import { findIbans } from '#shared/privacy/detectors/iban.ts'
import { findIpAddresses } from '#shared/privacy/detectors/ip-in-text.ts'
import { findPhones } from '#shared/privacy/detectors/phone.ts'
import { findTokens } from '#shared/privacy/detectors/token.ts'
import { visitorIdDetector } from '#shared/privacy/detectors/visitor-id.ts'
import {
  compact,
  NOT_PHONES,
  PHONES_BY_COUNTRY,
  VALID_CARDS,
  VALID_IBANS,
  withLastDigitChanged,
} from './fixtures.ts'

function found(text: string, spans: ReadonlyArray<{ start: number; end: number }>): string[] {
  return spans.map(({ start, end }) => text.slice(start, end))
}

describe('phone detector: national formats', () => {
  for (const [country, phones] of Object.entries(PHONES_BY_COUNTRY)) {
    for (const phone of phones) {
      it(`finds the ${country} number ${phone} inside a sentence`, () => {
        const text = `Call me on ${phone} tomorrow`
        expect(found(text, findPhones(text)).join('')).toContain(phone.replace(/^[^+(\d]+/, ''))
      })
    }
  }

  for (const number of NOT_PHONES) {
    it(`leaves ${number} alone`, () => {
      expect(findPhones(`Total ${number} today`)).toEqual([])
    })
  }

  it('reports two numbers written next to each other as one run, so neither keeps a part', () => {
    const text = 'Tel 030 1234567 0171 2345678'
    expect(found(text, findPhones(text))).toEqual(['030 1234567 0171 2345678'])
  })
})

describe('IBAN detector (ISO 13616 mod 97)', () => {
  for (const iban of VALID_IBANS) {
    it(`finds ${iban} printed, compact and lower-case`, () => {
      for (const written of [iban, compact(iban), compact(iban).toLowerCase()]) {
        const text = `pay to ${written}, thanks`
        expect(found(text, findIbans(text))).toEqual([written])
      }
    })
    it(`ignores ${iban} with one digit changed`, () => {
      expect(findIbans(`pay to ${compact(withLastDigitChanged(iban))}`)).toEqual([])
      expect(findIbans(`pay to ${withLastDigitChanged(iban)}`)).toEqual([])
    })
  }

  it('ignores word-like codes of the IBAN shape that fail the checksum', () => {
    expect(findIbans('SKU AB12CDEFGHIJKLMNOP and DE00123456789012345678')).toEqual([])
  })
})

describe('card detector (Luhn)', () => {
  for (const card of VALID_CARDS) {
    it(`finds ${card} with spaces, dashes and compact`, () => {
      for (const written of [card, card.replaceAll(' ', '-'), compact(card)]) {
        const text = `card ${written} exp 12/29`
        expect(found(text, findCards(text))).toEqual([written])
      }
    })
    it(`ignores ${card} with its check digit wrong`, () => {
      expect(findCards(`card ${compact(withLastDigitChanged(card))}`)).toEqual([])
      expect(findCards(`card ${withLastDigitChanged(card)}`)).toEqual([])
    })
  }

  it('ignores Luhn-valid millisecond timestamps and 20-digit runs', () => {
    // 1712345678904 passes Luhn but starts with 1, which no payment network issues.
    expect(findCards('at 1712345678904')).toEqual([])
    expect(findCards('id 41111111111111111111')).toEqual([])
  })
})

describe('e-mail detector', () => {
  it.each([
    ['jane.roe@example.org'],
    ['jürgen@bücher.de'],
    ['a@xn--bcher-kva.de'],
    ['ivan@пример.рф'],
    ['ivan@example.xn--p1ai'],
    ['jane＠example.org'],
    ["o'brien+tag@sub.example.co.uk"],
  ])('finds %s inside text', (email) => {
    const text = `contact ${email}, please`
    expect(found(text, findEmails(text))).toEqual([email])
  })

  it.each([['foo@bar'], ['@example.org'], ['a @ example.org'], ['price@2.50']])('ignores %s', (text) => {
    expect(findEmails(text)).toEqual([])
  })
})

describe('IP addresses in text', () => {
  it('replaces each address with its truncated form', () => {
    const text =
      '/host/203.0.113.48/status from 2001:db8:85a3:8d3:1319:8a2e:370:7348. and ::ffff:198.51.100.7'
    expect(findIpAddresses(text).map(({ replacement }) => replacement)).toEqual([
      '203.0.113.0',
      '2001:db8:85a3::',
      '::ffff:198.51.100.0',
    ])
    expect(found(text, findIpAddresses(text))).toEqual([
      '203.0.113.48',
      '2001:db8:85a3:8d3:1319:8a2e:370:7348',
      '::ffff:198.51.100.7',
    ])
  })

  it('ignores times, versions, C++ scopes, MAC addresses and already truncated addresses', () => {
    expect(findIpAddresses('12:30:45 v1.2.3 std::string 00:1a:2b:3c:4d:5e 203.0.113.0 1.2.3.4.5')).toEqual([])
  })
})

describe('token detector', () => {
  it('finds JWTs, Bearer credentials and long hex or random runs', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
    const text = `a ${jwt} b Bearer abcdef1234567890abcd c 9f86d081884c7d659a2feaa0c55ad015 d Zx8qLp2Vr7Kt9mWb4Nc6Hj1Y`
    const hits = found(text, findTokens(text))
    expect(hits).toContain(jwt)
    expect(hits).toContain('Bearer abcdef1234567890abcd')
    expect(hits).toContain('9f86d081884c7d659a2feaa0c55ad015')
    expect(hits).toContain('Zx8qLp2Vr7Kt9mWb4Nc6Hj1Y')
  })

  it('leaves readable paths and names alone', () => {
    expect(
      findTokens('/products/winter-collection-2024/shoes XMLHttpRequestEventTarget bearer of good news'),
    ).toEqual([])
  })
})

describe('visitor id detector', () => {
  it("finds the request's own ids in any ASCII case", () => {
    const detect = visitorIdDetector(['4f2c9a1e-visitor', 'user-4711'])
    const text = '/u/4F2C9A1E-VISITOR/edit?ref=user-4711'
    expect(found(text, detect(text))).toEqual(['4F2C9A1E-VISITOR', 'user-4711'])
  })

  it('does not look for ids too short to be told apart from ordinary text', () => {
    expect(visitorIdDetector(['42', undefined])('answer 42')).toEqual([])
  })
})
