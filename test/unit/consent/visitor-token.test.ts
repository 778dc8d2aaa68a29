import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  issueVisitorToken,
  newTokenNonce,
  verifyVisitorToken,
  visitorTokenFrom,
} from '#shared/consent/visitor-token.ts'

const KEY = 'test-pseudonym-key-0123456789'
const ISSUED = new Date('2024-05-06T12:00:00.000Z')
const DAY_SECONDS = 86_400
const subject = { siteId: 'shop', anonymousId: 'visitor-1' }
const nonce = 'AAAAAAAAAAAAAAAAAAAAAA'
const options = { nonce, now: ISSUED, maxAgeSeconds: 30 * DAY_SECONDS }
const token = issueVisitorToken(KEY, subject, nonce, ISSUED)
const TOKEN_ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.']

describe('the visitor token', () => {
  it('verifies for the site, id and nonce it was issued for, until it expires', () => {
    expect(verifyVisitorToken(KEY, token, subject, options)).toBe(true)
    const lastSecond = new Date(ISSUED.getTime() + (30 * DAY_SECONDS - 1) * 1000)
    const expiry = new Date(ISSUED.getTime() + 30 * DAY_SECONDS * 1000)
    expect(verifyVisitorToken(KEY, token, subject, { ...options, now: lastSecond })).toBe(true)
    expect(verifyVisitorToken(KEY, token, subject, { ...options, now: expiry })).toBe(false)
  })

  it('fails for another site, id, nonce or key', () => {
    expect(verifyVisitorToken(KEY, token, { ...subject, siteId: 'blog' }, options)).toBe(false)
    expect(verifyVisitorToken(KEY, token, { ...subject, anonymousId: 'visitor-2' }, options)).toBe(false)
    expect(verifyVisitorToken(KEY, token, subject, { ...options, nonce: newTokenNonce() })).toBe(false)
    expect(verifyVisitorToken('another-pseudonym-key-000000', token, subject, options)).toBe(false)
  })

  it('fails after any change to any character of it', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: token.length - 1 }),
        fc.constantFrom(...TOKEN_ALPHABET),
        (position, replacement) => {
          fc.pre(token[position] !== replacement)
          const mutated = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`
          expect(verifyVisitorToken(KEY, mutated, subject, options)).toBe(false)
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('fails after any insertion or deletion, and for any other string', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: token.length }),
        fc.string({ maxLength: 4 }),
        fc.nat({ max: 3 }),
        (at, added, cut) => {
          const mutated = `${token.slice(0, at)}${added}${token.slice(at + cut)}`
          fc.pre(mutated !== token)
          expect(verifyVisitorToken(KEY, mutated, subject, options)).toBe(false)
        },
      ),
      { numRuns: 5000 },
    )
    fc.assert(fc.property(fc.string(), (anything) => !verifyVisitorToken(KEY, anything, subject, options)))
  })

  it('binds the id exactly, newlines included (no two subjects sign the same text)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (a, b) => {
          fc.pre(a !== b)
          const issued = issueVisitorToken(KEY, { siteId: 'shop', anonymousId: a }, nonce, ISSUED)
          return !verifyVisitorToken(KEY, issued, { siteId: 'shop', anonymousId: b }, options)
        },
      ),
    )
  })

  it('is read from API Gateway’s cookies, among others', () => {
    expect(visitorTokenFrom(['_fbp=fb.1.2.3', `tw_vt=${token}`])).toBe(token)
    expect(visitorTokenFrom(['tw_vt='])).toBeUndefined()
    expect(visitorTokenFrom(undefined)).toBeUndefined()
  })
})
