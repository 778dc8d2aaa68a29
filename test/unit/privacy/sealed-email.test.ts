import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openEmail, sealBinding, sealEmail } from '#shared/privacy/sealed-email.ts'

const KEY = 'pseudonym-key-a'
const binding = sealBinding('erasure-1', 'hubspot')

describe('a sealed e-mail', () => {
  it('opens to the e-mail with the same key and binding, and shows none of it', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const sealed = sealEmail(KEY, email, binding)
        expect(sealed.toLowerCase()).not.toContain(email.toLowerCase())
        expect(openEmail(KEY, sealed, binding)).toBe(email)
      }),
    )
  })

  it('does not open under another key, for another erasure or vendor, or altered', () => {
    const sealed = sealEmail(KEY, 'a@example.org', binding)
    expect(openEmail('pseudonym-key-b', sealed, binding)).toBeUndefined()
    expect(openEmail(KEY, sealed, sealBinding('erasure-2', 'hubspot'))).toBeUndefined()
    expect(openEmail(KEY, sealed, sealBinding('erasure-1', 'ga4'))).toBeUndefined()
    const last = sealed.at(-2) === 'A' ? 'B' : 'A'
    expect(openEmail(KEY, `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`, binding)).toBeUndefined()
  })

  it('refuses any text that is not a seal, without throwing', () => {
    const texts = fc.oneof(
      fc.string(),
      fc.string().map((text) => `v1.${text}`),
    )
    fc.assert(
      fc.property(texts, (text) => {
        expect(openEmail(KEY, text, binding)).toBeUndefined()
      }),
    )
  })
})
