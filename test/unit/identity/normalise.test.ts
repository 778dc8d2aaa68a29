import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  HASHED_TRAIT_KINDS,
  hashTrait,
  normaliseCity,
  normaliseCountry,
  normaliseEmail,
  normaliseName,
  normalisePhone,
  normalisePostcode,
  normaliseTrait,
} from '#shared/identity/normalise.ts'

/** Written here, independently of the module: node's SHA-256 as lowercase hex. */
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')
const SHA256_HEX = /^[a-f0-9]{64}$/

describe('the vendors.md test vectors (§2.3, §2.7 rule 12, §3.4 rule 10)', () => {
  it('hashes John_Smith@gmail.com as Meta documents', () => {
    expect(hashTrait('email', '  John_Smith@gmail.com ')).toBe(
      '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f',
    )
  })

  it('hashes +1 (650) 555-1212 as Meta documents for 16505551212', () => {
    const expected = 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176'
    expect(hashTrait('phone', '+1 (650) 555-1212')).toBe(expected)
    expect(hashTrait('phone', '16505551212')).toBe(expected)
  })

  it('hashes Mary as Meta documents', () => {
    expect(hashTrait('firstName', 'Mary')).toBe(
      '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec',
    )
  })

  it("hashes LinkedIn's SHA256_EMAIL vector by the same e-mail rule", () => {
    expect(hashTrait('email', 'Test@Example.com')).toBe(
      '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b',
    )
  })
})

describe('normaliseEmail', () => {
  it('trims and lowercases a plausible address', () => {
    expect(normaliseEmail(' Jane.Doe+news@Example.CO.uk ')).toBe('jane.doe+news@example.co.uk')
  })

  it.each([
    'not an email',
    'jane@',
    '@example.com',
    'jane@example',
    'jane@@example.com',
    'ja ne@example.com',
    'jane%40example.com',
    `${'a'.repeat(65)}@example.com`,
  ])('drops %s', (value) => {
    expect(normaliseEmail(value)).toBeUndefined()
  })
})

describe('normalisePhone', () => {
  it.each([
    ['+49 151 1234 5678', '4915112345678'],
    ['0049 151 1234 5678', '4915112345678'],
    ['+0049-151-12345678', '4915112345678'],
    ['+44 (0)20 7946 0958', '4402079460958'],
    ['tel: +1 650.555.1212', '16505551212'],
  ])('normalises %s to %s', (value, expected) => {
    expect(normalisePhone(value)).toBe(expected)
  })

  it.each(['030 1234567', '(030) 1234567', '+1 555', '1234567890123456', 'no number', '+000 1234 5678'])(
    'drops %s (no country code, wrong length or no number)',
    (value) => {
      expect(normalisePhone(value)).toBeUndefined()
    },
  )
})

describe('names, city, postcode, country', () => {
  it('lowercases names and removes punctuation, digits and spaces, keeping non-Roman letters', () => {
    expect(normaliseName('Valéry')).toBe('valéry')
    expect(normaliseName("O'Brien-Smith")).toBe('obriensmith')
    expect(normaliseName('Mary Ann 2')).toBe('maryann')
    expect(normaliseName('Влади́мир')).toBe('влади́мир')
    expect(normaliseName('山田')).toBe('山田')
    expect(normaliseName('...')).toBeUndefined()
  })

  it('composes decomposed accents, so both spellings hash alike', () => {
    expect(normaliseName('Vale\u0301ry')).toBe(normaliseName('Val\u00e9ry'))
  })

  it('removes digits, whitespace and ().- from a city', () => {
    expect(normaliseCity(' New York (NY) ')).toBe('newyorkny')
    expect(normaliseCity('Saint-Étienne 42')).toBe('saintétienne')
    expect(normaliseCity('12-34')).toBeUndefined()
  })

  it('keeps the lowercased postcode before a dash, without spaces', () => {
    expect(normalisePostcode('94107-1234')).toBe('94107')
    expect(normalisePostcode('SW1A 1AA')).toBe('sw1a1aa')
    expect(normalisePostcode('1')).toBeUndefined()
    expect(normalisePostcode('12/34')).toBeUndefined()
  })

  it('accepts only assigned ISO 3166-1 alpha-2 codes', () => {
    expect(normaliseCountry(' DE ')).toBe('de')
    expect(normaliseCountry('gb')).toBe('gb')
    for (const value of ['UK', 'EU', 'Germany', 'DEU', 'zz', ''])
      expect(normaliseCountry(value)).toBeUndefined()
  })
})

describe('hashTrait', () => {
  it('passes a SHA-256 the client already computed through, lowercased', () => {
    const hash = sha256('jane@example.com')
    expect(hashTrait('email', ` ${hash.toUpperCase()} `)).toBe(hash)
  })

  it('drops an MD5-looking value: Meta wants SHA-256', () => {
    expect(hashTrait('email', '5f4dcc3b5aa765d61d8327deb882cf99')).toBeUndefined()
  })

  it('hashes the normal form', () => {
    expect(hashTrait('country', 'DE')).toBe(sha256('de'))
    expect(hashTrait('postcode', '94107-1234')).toBe(sha256('94107'))
  })

  it('drops a value it cannot normalise and an oversized one', () => {
    expect(hashTrait('email', 'nobody')).toBeUndefined()
    expect(hashTrait('lastName', 'a'.repeat(10_000))).toBeUndefined()
  })
})

const traitKind = fc.constantFrom(...HASHED_TRAIT_KINDS)
/** Clear text of every kind, and arbitrary strings, including unicode. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.emailAddress(),
  fc.stringMatching(/^\+?[0-9 ()-]{5,20}$/),
  fc.constantFrom('DE', 'us', 'Mary', 'Valéry', 'SW1A 1AA', '94107-1234', 'New York'),
)

describe('properties', () => {
  it('normalisation is idempotent', () => {
    fc.assert(
      fc.property(traitKind, anyValue, (kind, value) => {
        const once = normaliseTrait(kind, value)
        if (once !== undefined) expect(normaliseTrait(kind, once)).toBe(once)
      }),
      { numRuns: 2000 },
    )
  })

  it('a hash is always 64 lowercase hex characters, or absent', () => {
    fc.assert(
      fc.property(traitKind, anyValue, (kind, value) => {
        const hash = hashTrait(kind, value)
        if (hash !== undefined) expect(hash).toMatch(SHA256_HEX)
      }),
      { numRuns: 2000 },
    )
  })

  it('never gives the value in clear: the output is its normal form hashed, or a hash that was sent', () => {
    fc.assert(
      fc.property(traitKind, anyValue, (kind, value) => {
        const hash = hashTrait(kind, value)
        if (hash === undefined || SHA256_HEX.test(value.trim().toLowerCase())) return
        const normalised = normaliseTrait(kind, value.trim())
        expect(hash).not.toBe(value)
        expect(hash).not.toBe(normalised)
        expect(hash).toBe(sha256(normalised ?? ''))
      }),
      { numRuns: 2000 },
    )
  })

  it('hashes every valid e-mail address as sha256(trim(lower(address)))', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        expect(hashTrait('email', ` ${address} `)).toBe(sha256(address.toLowerCase()))
      }),
    )
  })
})
