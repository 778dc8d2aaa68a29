import { VISITOR_TOKEN_COOKIE } from '#shared/rights/api.ts'

/** `tw_vt=<token>` from a consent answer's Set-Cookie, as a browser would send it back; undefined if none. */
export function visitorCookieOf(setCookie: unknown): string | undefined {
  if (typeof setCookie !== 'string') return undefined
  const pair = setCookie.split(';', 1)[0] ?? ''
  return pair.startsWith(`${VISITOR_TOKEN_COOKIE}=`) && pair.length > VISITOR_TOKEN_COOKIE.length + 1
    ? pair
    : undefined
}

/** Each visitor's browser, as far as the token goes: the cookie the last consent answer set, per visitor id. */
export function visitorJar() {
  const cookies = new Map<string, string>()
  return {
    /** Keeps the token a `Set-Cookie` value carries (a handler's header, or `response.headers.get('set-cookie')`). */
    keep(anonymousId: string, setCookie: unknown): void {
      const cookie = visitorCookieOf(setCookie)
      if (cookie) cookies.set(anonymousId, cookie)
    },
    /** A `Cookie` header for fetch, empty when the visitor holds no token. */
    headerFor(anonymousId: string): Record<string, string> {
      const cookie = cookies.get(anonymousId)
      return cookie ? { cookie } : {}
    },
    /** API Gateway v2's `cookies` for the visitor, or undefined when it holds none. */
    cookiesFor(anonymousId: string): string[] | undefined {
      const cookie = cookies.get(anonymousId)
      return cookie ? [cookie] : undefined
    },
  }
}
