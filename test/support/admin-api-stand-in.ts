import { timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignatureV4 } from '@smithy/signature-v4'
import {
  type AuditEntry,
  LOCAL_ADMIN_PRINCIPAL,
  type VendorChangeAnswer,
  type VendorView,
} from '#shared/admin/api.ts'
import type { PolicyVersion } from '#shared/policy/versions.ts'
import { Sha256 } from '../../cli/sha256.ts'

/**
 * An in-memory admin API on loopback that keeps to shared/admin/api.ts, for the CLI's and the page's
 * tests. It authenticates like its two real counterparts: the local bearer token (npm start), or SigV4
 * verified by recomputing the signature from the test's own credentials (API Gateway's IAM check).
 */
export interface AdminApiStandIn {
  url: string
  /** Each authenticated call, in order, with the principal it was made as. */
  calls: Array<{ method: string; path: string; principal: string }>
  /** Each refused authentication, in order. */
  refusals: Array<{ method: string; path: string; reason: string }>
  vendors: Map<string, VendorView>
  audit: AuditEntry[]
  close(): Promise<void>
}

export interface StandInOptions {
  token?: string
  sigv4?: { region: string; accessKeyId: string; secretAccessKey: string }
}

export const STAND_IN_TAKES_EFFECT_SECONDS = 30
export const SIGNED_PRINCIPAL = 'arn:aws:iam::000000000000:user/test-admin'
const EEA = new Set(['AT', 'BE', 'DE', 'DK', 'ES', 'FI', 'FR', 'IE', 'IT', 'NL', 'NO', 'PL', 'SE'])

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

export function seedVendors(): VendorView[] {
  const status = (depth: number, oldest: number | null, dlq: number): VendorView['status'] => ({
    queue: { depth, inFlight: 0, oldestAgeSeconds: oldest },
    deadLetters: { count: dlq },
    lastDelivery: { at: '2026-12-03T09:00:00.000Z', outcome: 'delivered' },
  })
  return [
    {
      id: 'ga4',
      label: 'Google Analytics 4',
      enabled: true,
      legalBasis: 'consent',
      transfer: { country: 'US', safeguard: 'dpf' },
      settings: { measurementId: 'G-TEST123', apiSecretName: 'tagwarden/ga4' },
      revision: 3,
      status: status(3, 42, 2),
    },
    {
      id: 'meta',
      label: 'Meta Conversions API',
      enabled: true,
      legalBasis: 'consent',
      transfer: { country: 'US', safeguard: 'dpf' },
      settings: { pixelId: '1234567890', testEventCode: null },
      revision: 1,
      status: status(0, null, 0),
    },
    {
      id: 'linkedin',
      label: 'LinkedIn Conversions API',
      enabled: false,
      legalBasis: 'consent',
      transfer: { country: 'US', safeguard: 'none' },
      settings: null,
      revision: 0,
      status: { ...status(0, null, 0), lastDelivery: null },
    },
  ]
}

export async function startAdminApiStandIn(options: StandInOptions): Promise<AdminApiStandIn> {
  const vendors = new Map(seedVendors().map((vendor) => [vendor.id, vendor]))
  const audit: AuditEntry[] = []
  const policies: PolicyVersion[] = []
  const calls: AdminApiStandIn['calls'] = []
  const refusals: AdminApiStandIn['refusals'] = []
  const signer = options.sigv4
    ? new SignatureV4({
        service: 'execute-api',
        region: options.sigv4.region,
        credentials: {
          accessKeyId: options.sigv4.accessKeyId,
          secretAccessKey: options.sigv4.secretAccessKey,
        },
        sha256: Sha256,
      })
    : undefined

  const record = (principal: string, entry: Omit<AuditEntry, 'id' | 'at' | 'principal'>): AuditEntry => {
    const full: AuditEntry = { id: `a${audit.length + 1}`, at: new Date().toISOString(), principal, ...entry }
    audit.unshift(full)
    return full
  }

  async function authenticate(request: IncomingMessage, url: URL, body: string): Promise<string> {
    const authorization = request.headers.authorization ?? ''
    if (options.token !== undefined && authorization.startsWith('Bearer ')) {
      if (same(authorization, `Bearer ${options.token}`)) return LOCAL_ADMIN_PRINCIPAL
      throw new Refusal(403, 'wrong admin token')
    }
    if (signer === undefined || !authorization.startsWith('AWS4-HMAC-SHA256 ')) {
      throw new Refusal(403, 'Missing Authentication Token')
    }
    const signedHeaders = /SignedHeaders=([a-z0-9;-]+)/.exec(authorization)?.[1]?.split(';') ?? []
    const amzDate = request.headers['x-amz-date']
    if (typeof amzDate !== 'string' || signedHeaders.length === 0)
      throw new Refusal(403, 'malformed signature')
    const headers: Record<string, string> = {}
    for (const name of signedHeaders) {
      const value = request.headers[name]
      // The payload hash is recomputed from the body that arrived, never taken from the caller's header.
      if (typeof value === 'string' && name !== 'x-amz-content-sha256') headers[name] = value
    }
    const query: Record<string, string> = {}
    for (const [key, value] of url.searchParams) query[key] = value
    const expected = await signer.sign(
      {
        method: request.method ?? 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        path: url.pathname,
        query,
        headers,
        body: body === '' ? undefined : body,
      },
      { signingDate: fromAmzDate(amzDate) },
    )
    if (!same(authorization, expected.headers.authorization ?? '')) {
      throw new Refusal(403, 'The request signature we calculated does not match the signature you provided.')
    }
    return SIGNED_PRINCIPAL
  }

  function vendorOf(id: string): VendorView {
    const vendor = vendors.get(id)
    if (vendor === undefined) throw new Refusal(404, `no vendor "${id}"`, 'id')
    return vendor
  }

  function change(vendor: VendorView, principal: string, entry: Omit<AuditEntry, 'id' | 'at' | 'principal'>) {
    vendor.revision += 1
    const answer: VendorChangeAnswer = {
      vendor,
      audit: record(principal, entry),
      takesEffectWithinSeconds: STAND_IN_TAKES_EFFECT_SECONDS,
    }
    return answer
  }

  function route(method: string, url: URL, json: Record<string, unknown>, principal: string): unknown {
    const path = url.pathname
    const reason = typeof json.reason === 'string' ? json.reason : undefined
    if (method === 'GET' && path === '/admin/vendors') {
      return { vendors: [...vendors.values()], takesEffectWithinSeconds: STAND_IN_TAKES_EFFECT_SECONDS }
    }
    if (method === 'GET' && path === '/admin/audit') {
      const from = Date.parse(url.searchParams.get('from') ?? '') || 0
      const to = Date.parse(url.searchParams.get('to') ?? '') || Number.POSITIVE_INFINITY
      const limit = Number(url.searchParams.get('limit') ?? 500)
      const entries = audit.filter((entry) => Date.parse(entry.at) >= from && Date.parse(entry.at) <= to)
      return { entries: entries.slice(0, limit) }
    }
    // The admin's privacy requests: none in the stand-in (the local system's tests run them).
    if (method === 'GET' && path === '/admin/privacy/requests') return { requests: [] }
    if (path === '/admin/policy-versions') {
      if (method === 'GET') return { versions: policies }
      if (method === 'POST') return publish(json, principal, reason)
    }
    const match = /^\/admin\/vendors\/([a-z0-9-]+)(?:\/(enable|disable|redrive))?$/.exec(path)
    if (match?.[1] === undefined) throw new Refusal(404, `no route ${method} ${path}`)
    const vendor = vendorOf(match[1])
    const action = match[2]
    if (method === 'GET' && action === undefined) return vendor
    if (method === 'PUT' && action === undefined) return putSettings(vendor, json, principal, reason)
    if (method !== 'POST' || action === undefined) throw new Refusal(404, `no route ${method} ${path}`)
    if (action === 'redrive') {
      const moving = vendor.status.deadLetters.count
      vendor.status.deadLetters.count = 0
      const entry = record(principal, { action: 'vendor.redrive', target: vendor.id, diff: [], reason })
      return { vendor: vendor.id, moving, audit: entry }
    }
    const enabled = action === 'enable'
    if (enabled && !EEA.has(vendor.transfer.country) && vendor.transfer.safeguard === 'none') {
      throw new Refusal(
        409,
        `${vendor.id}: its recipient is in ${vendor.transfer.country}, outside the EU/EEA, and no transfer safeguard is recorded`,
        'transfer.safeguard',
      )
    }
    const before = vendor.enabled
    vendor.enabled = enabled
    return change(vendor, principal, {
      action: enabled ? 'vendor.enable' : 'vendor.disable',
      target: vendor.id,
      diff: before === enabled ? [] : [{ path: '/enabled', before, after: enabled }],
      reason,
    })
  }

  function putSettings(
    vendor: VendorView,
    json: Record<string, unknown>,
    principal: string,
    reason?: string,
  ) {
    const settings = json.settings
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new Refusal(400, 'settings: expected an object', 'settings')
    }
    if (json.revision !== undefined && json.revision !== vendor.revision) {
      throw new Refusal(409, `${vendor.id} was changed meanwhile (revision ${vendor.revision})`, 'revision')
    }
    const entries = Object.entries(settings)
    const measurementId = entries.find(([key]) => key === 'measurementId')?.[1]
    if (vendor.id === 'ga4' && (typeof measurementId !== 'string' || !measurementId.startsWith('G-'))) {
      throw new Refusal(400, 'expected a GA4 measurement id (G-…)', 'settings.measurementId')
    }
    const before = vendor.settings ?? {}
    const after = Object.fromEntries(entries)
    const keys = new Set([...Object.keys(before), ...Object.keys(after)])
    const diff = [...keys]
      .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      .map((key) => ({ path: `/settings/${key}`, before: before[key], after: after[key] }))
    vendor.settings = after
    return change(vendor, principal, { action: 'vendor.update', target: vendor.id, diff, reason })
  }

  function publish(json: Record<string, unknown>, principal: string, reason?: string) {
    const { version, effectiveAt, covers, summary } = json
    if (typeof version !== 'string' || version === '') throw new Refusal(400, 'version: required', 'version')
    if (typeof effectiveAt !== 'string' || Number.isNaN(Date.parse(effectiveAt))) {
      throw new Refusal(400, 'effectiveAt: expected an ISO 8601 date', 'effectiveAt')
    }
    if (typeof covers !== 'object' || covers === null)
      throw new Refusal(400, 'covers: expected an object', 'covers')
    if (policies.some((policy) => policy.version === version)) {
      throw new Refusal(409, `policy version ${version} is already published`, 'version')
    }
    const published: PolicyVersion = {
      version,
      effectiveAt,
      publishedAt: new Date().toISOString(),
      covers: Object.fromEntries(
        Object.entries(covers).map(([vendor, purposes]) => [
          vendor,
          Array.isArray(purposes)
            ? purposes.filter((purpose) => purpose === 'analytics' || purpose === 'marketing')
            : [],
        ]),
      ),
      summary: typeof summary === 'string' ? summary : undefined,
    }
    policies.unshift(published)
    const entry = record(principal, {
      action: 'policy.publish',
      target: `policy:${version}`,
      diff: [{ path: '/effectiveAt', after: effectiveAt }],
      reason,
    })
    return { version: published, audit: entry }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`)
    const method = request.method ?? 'GET'
    const chunks: Buffer[] = []
    for await (const chunk of request)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    const body = Buffer.concat(chunks).toString('utf8')
    try {
      let principal: string
      try {
        principal = await authenticate(request, url, body)
      } catch (error) {
        if (error instanceof Refusal) refusals.push({ method, path: url.pathname, reason: error.message })
        throw error
      }
      calls.push({ method, path: url.pathname, principal })
      const json: unknown = body === '' ? {} : JSON.parse(body)
      if (typeof json !== 'object' || json === null || Array.isArray(json))
        throw new Refusal(400, 'expected a JSON object', 'body')
      answer(response, 200, route(method, url, Object.fromEntries(Object.entries(json)), principal))
    } catch (error) {
      if (error instanceof Refusal)
        answer(response, error.status, { error: error.message, field: error.field })
      else if (error instanceof SyntaxError) answer(response, 400, { error: 'body: not JSON', field: 'body' })
      else answer(response, 500, { error: 'internal error' })
    }
  }

  const server = createServer((request, response) => void handle(request, response))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    refusals,
    vendors,
    audit,
    close() {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** `20261203T152000Z` → that instant. */
function fromAmzDate(text: string): Date {
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`
  return new Date(iso)
}
