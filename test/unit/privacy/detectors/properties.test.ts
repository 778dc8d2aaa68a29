import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findCards } from '#shared/privacy/detectors/card.ts'
import { findEmails } from '#shared/privacy/detectors/email.ts'
import { findIbans } from '#shared/privacy/detectors/iban.ts'
import { findIpAddresses } from '#shared/privacy/detectors/ip-in-text.ts'
import { findPhones } from '#shared/privacy/detectors/phone.ts'
import { piiScanner } from '#shared/privacy/pii-scanner.ts'
import {
  adversarialRun,
  cardWritten,
  emailAddress,
  ibanWritten,
  ordinaryNumber,
  phoneNumber,
  prose,
} from './generators.ts'

type Find = (text: string) => ReadonlyArray<{ start: number; end: number }>

/** Whether some detection covers the whole of `needle` placed at `at`. */
function covers(find: Find, text: string, at: number, needle: string): boolean {
  return find(text).some(
    ({ start, end }) => start <= at && end >= at + needle.length - (needle.endsWith(')') ? 1 : 0),
  )
}

const kinds: Array<[string, fc.Arbitrary<string>, Find]> = [
  ['phone', phoneNumber, findPhones],
  ['card', cardWritten, findCards],
  ['IBAN', ibanWritten, findIbans],
  ['e-mail', emailAddress, findEmails],
]

describe('each detector finds its kind wherever it sits in text', () => {
  for (const [name, arbitrary, find] of kinds) {
    it(`${name} between words`, () => {
      fc.assert(
        fc.property(prose, arbitrary, prose, (before, value, after) => {
          const text = `${before} ${value} ${after}`
          expect(covers(find, text, before.length + 1, value)).toBe(true)
        }),
        { numRuns: 300 },
      )
    })

    it(`${name} next to an adversarial run`, () => {
      fc.assert(
        fc.property(adversarialRun, arbitrary, adversarialRun, (before, value, after) => {
          const text = `${before} ${value} ${after}`
          // The run may extend a number it touches (digits, separators), never hide it.
          expect(covers(find, text, before.length + 1, value)).toBe(true)
        }),
        { numRuns: 60 },
      )
    })
  }
})

describe('ordinary numbers are not phones', () => {
  it('prices, years, dates, ids and year ranges in prose', () => {
    fc.assert(
      fc.property(prose, ordinaryNumber, (before, number) => {
        expect(findPhones(`${before} ${number} total`)).toEqual([])
      }),
      { numRuns: 500 },
    )
  })
})

describe('IP addresses anywhere in text', () => {
  it('are reported with their truncated form', () => {
    fc.assert(
      fc.property(prose, fc.ipV4(), fc.constantFrom('/host/', 'Your IP is ', 'ip='), (after, ip, lead) => {
        const text = `${lead}${ip}/${after}`
        const truncated = ip.replace(/\.\d+$/, '.0')
        const hits = findIpAddresses(text)
        if (truncated === ip) expect(hits).toEqual([])
        else
          expect(hits).toEqual([
            { detector: 'ip', start: lead.length, end: lead.length + ip.length, replacement: truncated },
          ])
      }),
      { numRuns: 300 },
    )
  })

  it('IPv6 addresses are found whole', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const text = `seen from ${ip} today`
        const hits = findIpAddresses(text)
        for (const hit of hits) expect(hit.replacement).toBeDefined()
        expect(hits.every(({ start, end }) => start >= 10 && end <= 10 + ip.length)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('the scanner sees PII hidden by percent-encoding', () => {
  it('e-mail encoded once, twice and three times', () => {
    fc.assert(
      fc.property(emailAddress, fc.integer({ min: 1, max: 3 }), (email, times) => {
        let encoded = email
        for (let i = 0; i < times; i++) encoded = encodeURIComponent(encoded)
        const findings = piiScanner([]).scan(`q=${encoded}`)
        // Some other detector may see part of the encoding first (`%252523-0` reads as a phone): the
        // field's action applies all the same.
        expect(findings.spans.length + findings.hidden.length).toBeGreaterThan(0)
      }),
      { numRuns: 200 },
    )
  })

  it('phone numbers with + as space', () => {
    fc.assert(
      fc.property(phoneNumber, (phone) => {
        const findings = piiScanner([]).scan(encodeURIComponent(phone).replaceAll('%20', '+'))
        expect(findings.spans.length + findings.hidden.length).toBeGreaterThan(0)
      }),
      { numRuns: 200 },
    )
  })
})

describe('adversarial input', () => {
  it('never makes a detector throw or report a span outside the text', () => {
    fc.assert(
      fc.property(fc.array(adversarialRun, { minLength: 1, maxLength: 3 }), (runs) => {
        const text = runs.join('')
        for (const { start, end } of piiScanner(['visitor-1']).scan(text).spans) {
          expect(start).toBeGreaterThanOrEqual(0)
          expect(end).toBeLessThanOrEqual(text.length)
          expect(start).toBeLessThan(end)
        }
      }),
      { numRuns: 100 },
    )
  })
})
