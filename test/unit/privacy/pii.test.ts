import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  containsPii,
  isSensitiveKey,
  looksLikeEmail,
  looksLikePhone,
  looksLikeToken,
  redactPii,
} from '#shared/privacy/pii.ts'
import { digitsOf, phoneNumber, prose } from './generators.ts'

const isoDate = fc
  .date({ min: new Date('1970-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10))
const epochSeconds = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }).map(String)
const epochMilliseconds = fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 }).map(String)
const price = fc
  .tuple(fc.integer({ min: 0, max: 9_999_999 }), fc.integer({ min: 0, max: 99 }))
  .map(([units, cents]) => `${units}.${String(cents).padStart(2, '0')}`)
const smallInteger = fc.integer({ min: -999_999, max: 999_999 }).map(String)

describe('looksLikeEmail', () => {
  it.each(['jane.doe@example.com', 'JANE+news@sub.example.co.uk', 'jane%40example.com', 'jörg@müller.de'])(
    'recognises %s',
    (text) => {
      expect(looksLikeEmail(text)).toBe(true)
    },
  )

  it.each(['@example.com', 'jane@', 'jane@localhost', 'jane.doe', 'jane @ example.com'])(
    'rejects %s',
    (text) => {
      expect(looksLikeEmail(text)).toBe(false)
    },
  )

  it('recognises any generated e-mail address', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        expect(looksLikeEmail(email)).toBe(true)
      }),
    )
  })
})

describe('looksLikePhone', () => {
  it.each([
    '+49 30 1234567',
    '+49 (0)30 123 456 78',
    '(030) 123-4567',
    '030 1234567',
    '555-123-4567',
    '555.123.4567',
    '+14155552671',
    '015112345678',
  ])('recognises %s', (text) => {
    expect(looksLikePhone(text)).toBe(true)
  })

  it.each([
    ['a short number', '123456'],
    ['a plain integer', '1234567'],
    ['too many digits', '+49 30 1234567890123'],
    ['an ISO date', '2024-01-15'],
    ['a European date', '15.01.2024'],
    ['a price', '12345.67'],
    ['a thousands-grouped amount', '1.234.567'],
    ['an IPv4 address', '192.168.100.200'],
    ['a Unix timestamp', '1700000000'],
    ['a millisecond timestamp', '1700000000000'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['a negative number', '-1234567'],
    ['text with digits', 'call 030 1234567'],
  ])('rejects %s', (_, text) => {
    expect(looksLikePhone(text)).toBe(false)
  })

  it('recognises any generated phone number', () => {
    fc.assert(
      fc.property(phoneNumber, (phone) => {
        expect(looksLikePhone(phone)).toBe(true)
      }),
    )
  })

  it('rejects any ISO date, timestamp, price, UUID or small integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(isoDate, epochSeconds, epochMilliseconds, price, fc.uuid(), smallInteger),
        (value) => {
          expect(looksLikePhone(value)).toBe(false)
          expect(containsPii(value)).toBe(false)
        },
      ),
    )
  })
})

describe('looksLikeToken', () => {
  it.each([
    [
      'a JWT',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    ['a Bearer credential', 'Bearer 2YotnFZFEjr1zCsicMWpAA'],
    ['a hex secret', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['a base64url secret', 'q3Xk9_Vd2LmZp8-RtW1yBnA4sJ0cHfGe'],
    ['a base64 secret', 'dGhpcyBpcyBhIHNlY3JldCB0b2tlbg=='],
    ['a secret inside text', 'reset with key q3Xk9_Vd2LmZp8-RtW1yBnA4sJ0cHfGe today'],
  ])('recognises %s', (_, text) => {
    expect(looksLikeToken(text)).toBe(true)
  })

  it.each([
    ['a short id', 'a1b2c3d4'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['a long word', 'supercalifragilisticexpialidocious'],
    ['a slug with a year', 'my-2024-Annual-Report-Summary-final'],
    ['a camelCase name', 'GetUserProfileByIdRequestV2'],
    ['a product path', 'products/Blue-Shirt-XL/sku-AB12CD'],
    ['prose about bearer bonds', 'Bearer bonds and their history'],
  ])('rejects %s', (_, text) => {
    expect(looksLikeToken(text)).toBe(false)
  })

  it('rejects any slug made of lower-case words', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { minLength: 1, maxLength: 12 }), (words) => {
        expect(looksLikeToken(words.join('-'))).toBe(false)
      }),
    )
  })
})

describe('containsPii', () => {
  it('finds an e-mail address inside text', () => {
    expect(containsPii('Contact jane.doe@example.com for details')).toBe(true)
  })

  it('finds a percent-encoded e-mail address', () => {
    expect(containsPii('q=jane.doe%40example.com')).toBe(true)
    expect(containsPii('q=jane.doe%2540example.com')).toBe(true)
    expect(containsPii('q=j%C3%B6rg%40m%C3%BCller.de')).toBe(true)
  })

  it('finds a phone number inside text', () => {
    expect(containsPii('Call us on +49 30 1234567 today')).toBe(true)
  })

  it('finds a phone number next to another number', () => {
    expect(containsPii('Order 1234567 call 030 1234567')).toBe(true)
  })

  it('ignores ordinary text with numbers', () => {
    expect(containsPii('Order 1234567 shipped on 2024-01-15 10:30 for 1299.00 EUR')).toBe(false)
  })

  it('ignores a number glued to letters, like a SKU', () => {
    expect(containsPii('SKU AB0301234567')).toBe(false)
  })
})

describe('redactPii', () => {
  it('replaces each e-mail address and phone number and keeps the rest', () => {
    const text = 'Mail jane@example.com or john@example.org, call +49 30 1234567 (order 1234567)'

    expect(redactPii(text)).toBe('Mail [redacted] or [redacted], call [redacted] (order 1234567)')
  })

  it('replaces a percent-encoded e-mail address', () => {
    expect(redactPii('from jane%40example.com')).toBe('from [redacted]')
  })

  it('leaves no generated e-mail address in any text around it', () => {
    fc.assert(
      fc.property(fc.string(), fc.emailAddress(), fc.string(), (before, email, after) => {
        expect(redactPii(`${before}${email}${after}`)).not.toContain(email)
      }),
    )
  })

  it('leaves no generated phone number in prose', () => {
    fc.assert(
      fc.property(prose, phoneNumber, prose, (before, phone, after) => {
        const redacted = redactPii(`${before} ${phone} ${after}`)

        expect(digitsOf(redacted)).not.toContain(digitsOf(phone))
      }),
    )
  })

  it('leaves prose without e-mail or phone unchanged', () => {
    fc.assert(
      fc.property(prose, (text) => {
        expect(redactPii(text)).toBe(text)
      }),
    )
  })
})

describe('isSensitiveKey', () => {
  it.each([
    'email',
    'E_Mail',
    'e-mail',
    'userEmail',
    'billing_email_address',
    'phone',
    'mobileNumber',
    'tel',
    'fax',
    'name',
    'firstName',
    'last_name',
    'FullName',
    'username',
    'address',
    'shipping_address',
    'street',
    'zip',
    'postal-code',
    'birthday',
    'date_of_birth',
    'dob',
    'ssn',
    'password',
    'passwd',
    'pwd',
    'secret',
    'client_secret',
    'token',
    'access_token',
    'csrfToken',
    'id_token',
    'refresh_token',
    'auth',
    'Authorization',
    'api_key',
    'X-Api-Key',
    'apikey',
    'key',
    'session',
    'sessionId',
    'sid',
    'code',
    'credit_card',
    'cardNumber',
    'cc',
    'iban',
    'ip',
    'ip_address',
    'clientIp',
  ])('flags %s', (name) => {
    expect(isSensitiveKey(name)).toBe(true)
  })

  it.each([
    'currency',
    'value',
    'product_name',
    'item_id',
    'page_path',
    'is_mobile',
    'iphone_model',
    'promo_code',
    'session_count',
    'primary_key',
    'utm_source',
  ])('lets %s through', (name) => {
    expect(isSensitiveKey(name)).toBe(false)
  })
})
