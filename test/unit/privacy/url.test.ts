import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scrubUrl, stripQueryAndFragment } from '#shared/privacy/url.ts'
import { phoneNumber, revealsEmail, revealsPhone } from './generators.ts'

const BASE = 'https://shop.example/catalogue'

/** Ways a page URL can carry a value: raw or encoded, in the query, the path or the fragment. */
const placements: ReadonlyArray<[string, (value: string) => string]> = [
  ['an encoded query value', (value) => `${BASE}?utm_source=news&q=${encodeURIComponent(value)}&lang=en`],
  ['a raw query value', (value) => `${BASE}?utm_source=news&q=${value}`],
  ['a query value with only the @ encoded', (value) => `${BASE}?q=${value.replace('@', '%40')}`],
  ['a doubly encoded query value', (value) => `${BASE}?q=${encodeURIComponent(encodeURIComponent(value))}`],
  ['a query parameter name', (value) => `${BASE}?${encodeURIComponent(value)}=1`],
  ['an encoded path segment', (value) => `${BASE}/${encodeURIComponent(value)}/orders`],
  ['a raw path segment', (value) => `${BASE}/${value}`],
  ['an encoded fragment', (value) => `${BASE}#${encodeURIComponent(value)}`],
  ['a raw fragment', (value) => `${BASE}#${value}`],
  ['a fragment parameter', (value) => `${BASE}#state=1&login_hint=${encodeURIComponent(value)}`],
  ['a fragment route', (value) => `${BASE}#/users/${encodeURIComponent(value)}`],
]
const placement = fc.constantFrom(...placements)

const slug = fc.stringMatching(/^[a-z][a-z-]{0,15}$/)
const harmlessParameter = fc
  .tuple(
    fc.constantFrom('utm_source', 'utm_medium', 'page', 'lang', 'sort', 'q', 'category', 'colour', 'size'),
    fc.oneof(fc.stringMatching(/^[a-z]{0,12}$/), fc.integer({ min: 0, max: 99_999 }).map(String)),
  )
  .map(([name, value]) => `${name}=${value}`)
const harmlessUrl = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    host: fc.domain(),
    port: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
    path: fc.array(slug, { maxLength: 5 }),
    query: fc.array(harmlessParameter, { maxLength: 5 }),
    fragment: fc.option(
      slug.map((route) => `/${route}`),
      { nil: undefined },
    ),
  })
  .map(({ scheme, host, port, path, query, fragment }) => {
    const authority = port === undefined ? host : `${host}:${port}`
    const search = query.length > 0 ? `?${query.join('&')}` : ''
    return `${scheme}://${authority}/${path.join('/')}${search}${fragment === undefined ? '' : `#${fragment}`}`
  })

describe('scrubUrl', () => {
  it('keeps a URL without personal data as the browser serialises it', () => {
    const url = 'https://www.example.com/pricing/plans?utm_source=news&utm_medium=email&plan=team#/faq'

    expect(scrubUrl(url)).toBe(url)
  })

  it('drops the user name and password', () => {
    expect(scrubUrl('https://jane:hunter2@example.com/account')).toBe('https://example.com/account')
  })

  it('removes parameters named like personal data and keeps the order of the rest', () => {
    const url = 'https://example.com/?b=2&email=x&a=1&firstName=Jane&token=abc&c=3'

    expect(scrubUrl(url)).toBe('https://example.com/?b=2&a=1&c=3')
  })

  it('removes parameters whose value is an e-mail, phone or token', () => {
    const url =
      'https://example.com/?contact=jane%40example.com&tel=%2B49%2030%201234567&r=q3Xk9_Vd2LmZp8-RtW1yBnA4sJ0cHfGe&page=2'

    expect(scrubUrl(url)).toBe('https://example.com/?page=2')
  })

  it('drops the question mark when no parameter is left', () => {
    expect(scrubUrl('https://example.com/signup?email=jane@example.com')).toBe('https://example.com/signup')
  })

  it('redacts path segments that hold an e-mail address or a token', () => {
    const url = 'https://example.com/users/jane@example.com/reset/9f86d081884c7d659a2feaa0c55ad015/done'

    expect(scrubUrl(url)).toBe('https://example.com/users/[redacted]/reset/[redacted]/done')
  })

  it('keeps a path of many short segments that only together resemble a token', () => {
    const url = 'https://example.com/a1/b2/c3/d4/e5/f6/g7/h8/i9'

    expect(scrubUrl(url)).toBe(url)
  })

  it('removes an e-mail address that spans several query parameters', () => {
    expect(scrubUrl('https://example.com/?page=2&q=jane&x=@example.com')).toBe('https://example.com/')
  })

  it('keeps a harmless fragment route', () => {
    expect(scrubUrl('https://example.com/app#/pricing')).toBe('https://example.com/app#/pricing')
  })

  it('filters fragment parameters like a query', () => {
    const url = 'https://example.com/callback#access_token=abc&token_type=bearer&expires_in=3600&state=xyz'

    expect(scrubUrl(url)).toBe('https://example.com/callback#expires_in=3600&state=xyz')
  })

  it('filters the query of a fragment route', () => {
    expect(scrubUrl('https://example.com/#/reset?token=abc&step=2')).toBe(
      'https://example.com/#/reset?step=2',
    )
  })

  it('drops a fragment that holds an e-mail address', () => {
    expect(scrubUrl('https://example.com/thanks#jane@example.com')).toBe('https://example.com/thanks')
  })

  it('keeps a non-default port', () => {
    expect(scrubUrl('http://localhost:8080/a?x=1')).toBe('http://localhost:8080/a?x=1')
  })

  it.each([
    ['a relative URL', '/pricing'],
    ['a mailto link', 'mailto:jane@example.com'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['an ftp URL', 'ftp://example.com/file'],
    ['garbage', 'not a url'],
    ['an empty string', ''],
    ['nothing', undefined],
  ])('returns undefined for %s', (_, url) => {
    expect(scrubUrl(url)).toBeUndefined()
  })

  describe('properties', () => {
    it('leaves no e-mail address wherever it is placed', () => {
      fc.assert(
        fc.property(fc.emailAddress(), placement, (email, [, place]) => {
          const scrubbed = scrubUrl(place(email))

          expect(scrubbed).toBeDefined()
          expect(revealsEmail(scrubbed, email)).toBe(false)
        }),
      )
    })

    it('leaves no phone number wherever it is placed', () => {
      fc.assert(
        fc.property(phoneNumber, placement, (phone, [, place]) => {
          const scrubbed = scrubUrl(place(phone))

          expect(scrubbed).toBeDefined()
          expect(revealsPhone(scrubbed, phone)).toBe(false)
        }),
      )
    })

    it('keeps any URL without personal data unchanged', () => {
      fc.assert(
        fc.property(harmlessUrl, (url) => {
          expect(scrubUrl(url)).toBe(new URL(url).href)
        }),
      )
    })

    it('never throws for any text', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
          (url) => {
            const scrubbed = scrubUrl(url)

            expect(scrubbed === undefined || URL.canParse(scrubbed)).toBe(true)
          },
        ),
      )
    })
  })
})

describe('stripQueryAndFragment', () => {
  it('keeps only the origin and the path', () => {
    const url = 'https://jane:pw@example.com/pricing?utm_source=news#/faq'

    expect(stripQueryAndFragment(url)).toBe('https://example.com/pricing')
  })

  it('still redacts personal data in the path', () => {
    expect(stripQueryAndFragment('https://example.com/u/jane@example.com')).toBe(
      'https://example.com/u/[redacted]',
    )
  })

  it('returns undefined for a URL that is not http(s)', () => {
    expect(stripQueryAndFragment('data:text/plain,hi')).toBeUndefined()
  })
})
