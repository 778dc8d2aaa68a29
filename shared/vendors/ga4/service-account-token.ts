import { createSign } from 'node:crypto'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import type { HttpSender } from '#shared/delivery/http.ts'
import { classifyHttpStatus } from '../classify-http.ts'
import type { ServiceAccount } from './credentials.ts'

/** Google's OAuth 2.0 service-account flow (RFC 7523): a signed JWT exchanged for an access token. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** Google caps a service account assertion's lifetime at one hour. */
const ASSERTION_LIFETIME_SECONDS = 3600
const MILLISECONDS_PER_SECOND = 1000

const tokenAnswerSchema = z.object({ access_token: z.string().check(z.minLength(1)) })

export type TokenResult = { ok: true; accessToken: string } | { ok: false; retry: boolean; reason: string }

/** The JWT a service account signs (RS256) to ask for a token of this scope. */
export function serviceAccountAssertion(account: ServiceAccount, scope: string, now: Date): string {
  const issuedAt = Math.floor(now.getTime() / MILLISECONDS_PER_SECOND)
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))
  const claims = base64url(
    JSON.stringify({
      iss: account.client_email,
      scope,
      aud: account.token_uri,
      iat: issuedAt,
      exp: issuedAt + ASSERTION_LIFETIME_SECONDS,
    }),
  )
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(account.private_key)
  return `${header}.${claims}.${signature.toString('base64url')}`
}

/** An access token for `scope`; a network error rejects (the caller's retry), an answer is read. */
export async function serviceAccountToken(
  account: ServiceAccount,
  scope: string,
  options: { sender: HttpSender; timeoutMs: number; now: Date; baseUrl?: string },
): Promise<TokenResult> {
  const tokenUrl = new URL(account.token_uri)
  const url = options.baseUrl
    ? `${new URL(options.baseUrl).origin}${tokenUrl.pathname}${tokenUrl.search}`
    : tokenUrl.href
  const body = new URLSearchParams({
    grant_type: JWT_BEARER_GRANT,
    assertion: serviceAccountAssertion(account, scope, options.now),
  }).toString()
  const response = await options.sender.send(
    {
      vendor: 'ga4',
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      messageIds: [],
    },
    { timeoutMs: options.timeoutMs },
  )
  const outcome = classifyHttpStatus(response.status)
  if (outcome !== 'delivered')
    return { ok: false, retry: outcome === 'retry', reason: `token endpoint answered ${response.status}` }
  let json: unknown
  try {
    json = JSON.parse(response.body)
  } catch {
    return { ok: false, retry: false, reason: 'token endpoint answered no JSON' }
  }
  const parsed = tokenAnswerSchema.safeParse(json)
  if (!parsed.success) return { ok: false, retry: false, reason: 'token endpoint answered no access_token' }
  return { ok: true, accessToken: parsed.data.access_token }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}
