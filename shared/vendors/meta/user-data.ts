import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import { truncateIp } from '#shared/privacy/ip.ts'
import { META_MAX_USER_AGENT_CHARS } from './limits.ts'
import { FBC_FORMAT, FBP_FORMAT, type MetaUserData, SHA256_HEX } from './payload.ts'

/** Identity kinds that arrive hashed (shared/identity/kinds.ts) and the `user_data` key each fills. */
const HASHED_KEYS = [
  ['email', 'em'],
  ['phone', 'ph'],
  ['firstName', 'fn'],
  ['lastName', 'ln'],
  ['city', 'ct'],
  ['postcode', 'zp'],
  ['country', 'country'],
  ['externalId', 'external_id'],
] as const

export type UserDataResult =
  | { ok: true; userData: MetaUserData }
  | { ok: false; field: string; reason: string }

/**
 * `user_data` from what the edge granted Meta. Hashes pass through only in Meta's form (64 lowercase
 * hex); cookies only in their documented format; the IP only when the admin allows it, and then
 * truncated whatever the collector handed over. Without a user agent a website event is invalid.
 */
export function metaUserData(
  identity: GrantedIdentity,
  ip: { allowed: boolean; address: string | null },
  dropped: (field: string, reason: string) => void,
): UserDataResult {
  const userAgent = identity.userAgent
  if (userAgent === undefined || userAgent.trim() === '') {
    return {
      ok: false,
      field: 'user_data.client_user_agent',
      reason: 'no user agent: website events need one',
    }
  }
  if (userAgent.length > META_MAX_USER_AGENT_CHARS) {
    return {
      ok: false,
      field: 'user_data.client_user_agent',
      reason: `user agent longer than ${META_MAX_USER_AGENT_CHARS} characters`,
    }
  }
  const userData: MetaUserData = { client_user_agent: userAgent }
  const address = ip.allowed ? truncateIp(ip.address) : null
  if (address !== null) userData.client_ip_address = address
  else if (ip.allowed && ip.address !== null) dropped('user_data.client_ip_address', 'not an IP address')
  cookie(identity.fbp, FBP_FORMAT, 'fbp', userData, dropped)
  cookie(identity.fbc, FBC_FORMAT, 'fbc', userData, dropped)
  for (const [kind, key] of HASHED_KEYS) {
    const value = identity[kind]
    if (value === undefined) continue
    if (SHA256_HEX.test(value)) userData[key] = [value]
    else dropped(`user_data.${key}`, 'not a lowercase hex SHA-256')
  }
  return { ok: true, userData }
}

function cookie(
  value: string | undefined,
  format: RegExp,
  key: 'fbp' | 'fbc',
  userData: MetaUserData,
  dropped: (field: string, reason: string) => void,
): void {
  if (value === undefined) return
  if (format.test(value)) userData[key] = value
  else dropped(`user_data.${key}`, `not in the _${key} cookie format`)
}
