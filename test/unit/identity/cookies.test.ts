import { describe, expect, it } from 'vitest'
import { readAllowedCookies } from '#shared/identity/cookies.ts'
import { MAX_COOKIE_HEADER_LENGTH, MAX_COOKIES_PARSED } from '#shared/identity/limits.ts'

const FBP = 'fb.1.1596403881668.1116446470'
const UTK = '9b1f4c3e2a5d6f7081929a3b4c5d6e7f'

describe('readAllowedCookies', () => {
  it("reads only the allow-listed cookies from API Gateway's cookies array", () => {
    expect(
      readAllowedCookies(['session=secret', `_fbp=${FBP}`, `hubspotutk=${UTK}`, 'email=a@b.com']),
    ).toEqual({
      _fbp: FBP,
      hubspotutk: UTK,
    })
  })

  it('reads a raw Cookie header, trimming spaces and quotes', () => {
    expect(readAllowedCookies(undefined, `a=1; _fbp="${FBP}" ;li_fat_id= abc `)).toEqual({
      _fbp: FBP,
      li_fat_id: 'abc',
    })
  })

  it('takes the first pair of a name, and the cookies array before the header', () => {
    expect(readAllowedCookies([`_fbp=first`, '_fbp=second'], '_fbp=header; _fbc=from-header')).toEqual({
      _fbp: 'first',
      _fbc: 'from-header',
    })
  })

  it('keeps a value containing `=` whole', () => {
    expect(readAllowedCookies(['_fbc=a=b'])).toEqual({ _fbc: 'a=b' })
  })

  it('ignores pairs without a value, empty values and oversized values', () => {
    expect(readAllowedCookies(['_fbp', '_fbc=', `hubspotutk=${'a'.repeat(2000)}`])).toEqual({})
  })

  it(`reads at most ${MAX_COOKIES_PARSED} pairs`, () => {
    const filler = Array.from({ length: MAX_COOKIES_PARSED }, (_, index) => `c${index}=x`)
    expect(readAllowedCookies([...filler, `_fbp=${FBP}`])).toEqual({})
    expect(readAllowedCookies(undefined, `${filler.join('; ')}; _fbp=${FBP}`)).toEqual({})
  })

  it('does not read an oversized Cookie header', () => {
    const header = `_fbp=${FBP}; pad=${'x'.repeat(MAX_COOKIE_HEADER_LENGTH)}`
    expect(readAllowedCookies(undefined, header)).toEqual({})
  })

  it('does not confuse inherited object keys with cookies', () => {
    expect(readAllowedCookies(['constructor=x', '__proto__=y', 'toString=z'])).toEqual({})
  })

  it('spends constant work on each oversized pair, however large', () => {
    const huge = `_fbp=${'1'.repeat(1024 * 1024)}`
    const started = performance.now()
    expect(readAllowedCookies(Array.from({ length: MAX_COOKIES_PARSED }, () => huge))).toEqual({})
    expect(performance.now() - started).toBeLessThan(100)
  })
})
