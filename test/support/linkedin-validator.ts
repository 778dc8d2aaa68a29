import { createHash } from 'node:crypto'
import type { VendorRequest } from '#shared/delivery/http.ts'

/**
 * A strict, independent check of LinkedIn Conversions API requests: vendors.md §3.4 rules 1–11,
 * written from the doc and sharing no code with shared/vendors/linkedin/ so the two cannot agree by
 * sharing a mistake. Proxy policies the doc names are enforced: `eventId` always set, `user.userIds`
 * always present with at least one id and no duplicate type, and (privacy requirements §3.6) no
 * `userInfo`: only the hashed e-mail and the first-party click id leave.
 */
export interface LinkedinValidatorOptions {
  /** Accept this origin instead of https://api.linkedin.com (a capture server in tests). */
  allowOrigin?: string
  /** The versions configured; without it any `YYYYMM` not sunset at `now` (older than 12 months) passes. */
  versions?: ReadonlyArray<string>
  /** Trimmed-and-lowercased-or-not e-mail: every element must carry sha256(trim(lower(email))) (rule 10). */
  expectedEmail?: string
}

const ORIGIN = 'https://api.linkedin.com'
const PATH = '/rest/conversionEvents'
const MAX_ELEMENTS = 5000
const DAY_MS = 86_400_000
const MAX_AGE_MS = 90 * DAY_MS
const MAX_FUTURE_MS = 60_000
/** LinkedIn supports a monthly version for about a year (vendors.md §3.1). */
const VERSION_LIFETIME_MONTHS = 12
const ID_TYPES = new Set([
  'SHA256_EMAIL',
  'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
  'ACXIOM_ID',
  'ORACLE_MOAT_ID',
])
const ELEMENT_KEYS = new Set(['conversion', 'conversionHappenedAt', 'conversionValue', 'eventId', 'user'])
const USER_KEYS = new Set(['userIds', 'userInfo'])
const USER_INFO_KEYS = new Set(['firstName', 'lastName', 'title', 'companyName', 'countryCode'])

export function linkedinRequestViolations(
  request: VendorRequest,
  now: Date,
  options: LinkedinValidatorOptions = {},
): string[] {
  const problems: string[] = []
  checkTransport(request, options, problems)
  checkHeaders(request, now, options, problems)
  const elements = bodyElements(request, problems)
  elements.forEach((element, index) => {
    checkElement(element, now, options, (problem) => problems.push(`elements[${index}]: ${problem}`))
  })
  if (elements.length > 0 && elements.length !== request.messageIds.length) {
    problems.push(`messageIds has ${request.messageIds.length} ids for ${elements.length} elements`)
  }
  return problems
}

function checkTransport(request: VendorRequest, options: LinkedinValidatorOptions, problems: string[]): void {
  if (request.method !== 'POST') problems.push(`rule 1: method ${request.method} is not POST`)
  const allowed = new Set([ORIGIN, ...(options.allowOrigin ? [options.allowOrigin] : [])])
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    problems.push('rule 1: url does not parse')
    return
  }
  if (!allowed.has(url.origin) || url.pathname !== PATH || url.search !== '' || url.hash !== '') {
    problems.push(`rule 1: url ${request.url} is not ${ORIGIN}${PATH}`)
  }
}

function header(request: VendorRequest, name: string): string | undefined {
  const matches = Object.entries(request.headers).filter(([key]) => key.toLowerCase() === name.toLowerCase())
  return matches.length === 1 ? matches[0]?.[1] : undefined
}

function checkHeaders(
  request: VendorRequest,
  now: Date,
  options: LinkedinValidatorOptions,
  problems: string[],
): void {
  if (header(request, 'X-Restli-Protocol-Version') !== '2.0.0') {
    problems.push('rule 2: X-Restli-Protocol-Version must be 2.0.0')
  }
  const version = header(request, 'LinkedIn-Version')
  if (version === undefined || !/^\d{6}$/.test(version)) {
    problems.push('rule 2: LinkedIn-Version must be YYYYMM')
  } else if (options.versions !== undefined && !options.versions.includes(version)) {
    problems.push(`rule 2: LinkedIn-Version ${version} is not a configured version`)
  } else if (!versionLive(version, now)) {
    problems.push(`rule 2: LinkedIn-Version ${version} is sunset or not yet released at ${now.toISOString()}`)
  }
  if (!/^Bearer \S+$/.test(header(request, 'Authorization') ?? '')) {
    problems.push('rule 2: Authorization must be Bearer <token>')
  }
  if (header(request, 'Content-Type') !== 'application/json') {
    problems.push('rule 2: Content-Type must be application/json')
  }
}

function versionLive(version: string, now: Date): boolean {
  const year = Number(version.slice(0, 4))
  const month = Number(version.slice(4))
  if (month < 1 || month > 12) return false
  const versionMonths = year * 12 + (month - 1)
  const nowMonths = now.getUTCFullYear() * 12 + now.getUTCMonth()
  return versionMonths <= nowMonths && nowMonths - versionMonths < VERSION_LIFETIME_MONTHS
}

function bodyElements(request: VendorRequest, problems: string[]): unknown[] {
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch {
    problems.push('rule 3: body is not JSON')
    return []
  }
  const method = header(request, 'X-RestLi-Method')
  if (method === undefined) return [body]
  if (method !== 'BATCH_CREATE') {
    problems.push(`rule 3: X-RestLi-Method ${method} is not BATCH_CREATE`)
    return []
  }
  if (!isRecord(body) || Object.keys(body).join() !== 'elements' || !Array.isArray(body.elements)) {
    problems.push('rule 3: a BATCH_CREATE body is exactly {"elements":[…]}')
    return []
  }
  if (body.elements.length < 1 || body.elements.length > MAX_ELEMENTS) {
    problems.push(`rule 3: ${body.elements.length} elements, not 1–${MAX_ELEMENTS}`)
  }
  return body.elements
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkElement(
  element: unknown,
  now: Date,
  options: LinkedinValidatorOptions,
  problem: (text: string) => void,
): void {
  if (!isRecord(element)) {
    problem('not an object')
    return
  }
  for (const key of Object.keys(element)) if (!ELEMENT_KEYS.has(key)) problem(`unknown key ${key}`)
  const { conversion, conversionHappenedAt: at, conversionValue, eventId, user } = element
  if (typeof conversion !== 'string' || !/^urn:lla:llaPartnerConversion:\d+$/.test(conversion)) {
    problem('rule 4: conversion is not urn:lla:llaPartnerConversion:<digits>')
  }
  if (typeof at !== 'number' || !Number.isInteger(at) || String(at).length !== 13) {
    problem('rule 5: conversionHappenedAt is not a 13-digit epoch ms integer')
  } else if (at < now.getTime() - MAX_AGE_MS || at > now.getTime() + MAX_FUTURE_MS) {
    problem('rule 5: conversionHappenedAt outside [now − 90 days, now + 60 s]')
  }
  if (conversionValue !== undefined) checkValue(conversionValue, problem)
  if (typeof eventId !== 'string' || eventId === '')
    problem('rule 7: eventId must be a non-empty string (policy: always set)')
  checkUser(user, options, problem)
}

function checkValue(value: unknown, problem: (text: string) => void): void {
  if (!isRecord(value) || Object.keys(value).sort().join() !== 'amount,currencyCode') {
    problem('rule 6: conversionValue must have exactly currencyCode and amount')
    return
  }
  if (typeof value.currencyCode !== 'string' || !/^[A-Z]{3}$/.test(value.currencyCode)) {
    problem('rule 6: currencyCode is not ISO 4217')
  }
  if (typeof value.amount !== 'string' || !/^\d+(\.\d+)?$/.test(value.amount)) {
    problem('rule 6: amount must be a decimal string')
  }
}

function checkUser(user: unknown, options: LinkedinValidatorOptions, problem: (text: string) => void): void {
  if (!isRecord(user)) {
    problem('rule 8: user missing')
    return
  }
  for (const key of Object.keys(user)) if (!USER_KEYS.has(key)) problem(`user: unknown key ${key}`)
  if (!Array.isArray(user.userIds)) {
    problem('rule 8: user.userIds must be an array')
    return
  }
  const seen = new Set<string>()
  for (const id of user.userIds) {
    if (!isRecord(id) || Object.keys(id).sort().join() !== 'idType,idValue') {
      problem('rule 8: a userIds element has exactly idType and idValue')
      continue
    }
    const { idType, idValue } = id
    if (typeof idType !== 'string' || !ID_TYPES.has(idType))
      problem(`rule 8: idType ${String(idType)} unknown`)
    if (typeof idValue !== 'string' || idValue === '') problem('rule 8: idValue must be a non-empty string')
    if (typeof idType === 'string' && seen.has(idType)) problem(`rule 8: duplicate idType ${idType}`)
    if (typeof idType === 'string') seen.add(idType)
    if (idType === 'SHA256_EMAIL') checkEmailHash(idValue, options, problem)
  }
  if (user.userIds.length === 0) problem('rule 9: policy requires at least one userIds element')
  if (options.expectedEmail !== undefined && !seen.has('SHA256_EMAIL')) {
    problem('rule 10: the expected SHA256_EMAIL is missing')
  }
  if (user.userInfo !== undefined) {
    checkUserInfo(user.userInfo, problem)
    problem('rule 11: policy for anonymised traffic: userInfo must be absent')
  }
}

function checkEmailHash(
  value: unknown,
  options: LinkedinValidatorOptions,
  problem: (text: string) => void,
): void {
  if (typeof value !== 'string' || !/^[a-f0-9]{64}$/.test(value)) {
    problem('rule 10: SHA256_EMAIL is not lowercase hex SHA-256')
    return
  }
  if (options.expectedEmail === undefined) return
  const expected = createHash('sha256')
    .update(options.expectedEmail.trim().toLowerCase(), 'utf8')
    .digest('hex')
  if (value !== expected) problem('rule 10: SHA256_EMAIL is not sha256(trim(lower(email)))')
}

function checkUserInfo(info: unknown, problem: (text: string) => void): void {
  if (!isRecord(info)) {
    problem('rule 11: userInfo must be an object')
    return
  }
  for (const key of Object.keys(info)) if (!USER_INFO_KEYS.has(key)) problem(`rule 11: userInfo key ${key}`)
  for (const name of ['firstName', 'lastName']) {
    const value = info[name]
    if (typeof value !== 'string' || value === '') problem(`rule 11: userInfo.${name} must be non-empty`)
  }
  if (
    info.countryCode !== undefined &&
    !(typeof info.countryCode === 'string' && /^[A-Z]{2}$/.test(info.countryCode))
  ) {
    problem('rule 11: userInfo.countryCode must be ISO 3166-1 alpha-2')
  }
}
