import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { adminClient } from '../../cli/admin-client.ts'
import { auditAnswer, vendorListAnswer } from '../../cli/answers.ts'
import { sigV4Auth } from '../../cli/auth.ts'
import {
  type AdminApiStandIn,
  SIGNED_PRINCIPAL,
  seedVendors,
  startAdminApiStandIn,
} from '../support/admin-api-stand-in.ts'
import { eventually } from '../support/eventually.ts'
import { rawRequest } from '../support/raw-http.ts'

const LOCAL_TOKEN = 'local-admin-token-for-tests'
const CREDENTIALS = { accessKeyId: 'AKIDADMINTEST', secretAccessKey: 'admin-test-secret-key' }
const REGION = 'eu-central-1'

interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** The operator's shell: test credentials for the standard chain, nothing of the machine's own. */
function operatorEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: '/nonexistent' }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  }
}

function cli(args: string[], env: NodeJS.ProcessEnv = operatorEnv()): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/tagwarden.js', ...args], { env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

describe('tagwarden admin, as a child process, against the admin API stand-in', () => {
  let api: AdminApiStandIn

  beforeAll(async () => {
    api = await startAdminApiStandIn({ token: LOCAL_TOKEN, sigv4: { region: REGION, ...CREDENTIALS } })
  })
  afterAll(() => api?.close())
  afterEach(() => {
    // Each test starts from the seeded vendors and an empty trail.
    api.vendors.clear()
    for (const vendor of seedVendors()) api.vendors.set(vendor.id, vendor)
    api.audit.length = 0
  })

  it('lists the vendors as a table with the local token', async () => {
    const run = await cli(['admin', 'vendors', 'list', '--url', api.url, '--token', LOCAL_TOKEN])
    expect(run.code).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^ID\s+ENABLED\s+LEGAL BASIS\s+TRANSFER\s+QUEUE\s+OLDEST\s+DLQ\s+LAST DELIVERY$/)
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      'ga4',
      'yes',
      'consent',
      'US/dpf',
      '3',
      '42s',
      '2',
      expect.stringMatching(/delivered$/),
    ])
    expect(lines.find((line) => line.startsWith('linkedin'))).toMatch(/^linkedin\s+no\s+consent\s+US\/none/)
  })

  it('switches a vendor off with a SigV4-signed call that the API accepts, printing the audit entry', async () => {
    const run = await cli(['admin', 'vendors', 'disable', 'ga4', '--reason', 'incident 7'], {
      ...operatorEnv({ TAGWARDEN_ADMIN_URL: api.url }),
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/vendor\.disable\s+ga4\s+\/enabled: true → false\s+incident 7/)
    expect(run.stdout).toContain(SIGNED_PRINCIPAL)
    expect(run.stdout).toMatch(/takes effect within 30 s/)
    expect(api.vendors.get('ga4')?.enabled).toBe(false)
    expect(api.calls.at(-1)).toEqual({
      method: 'POST',
      path: '/admin/vendors/ga4/disable',
      principal: SIGNED_PRINCIPAL,
    })
  })

  it('signs the query string too: the audit trail with --from and --limit', async () => {
    await cli(['admin', 'vendors', 'disable', 'meta', '--url', api.url])
    const run = await cli([
      'admin',
      'audit',
      '--url',
      api.url,
      '--from',
      '2020-01-01T00:00:00Z',
      '--limit',
      '5',
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^AT\s+PRINCIPAL\s+ACTION\s+TARGET\s+DIFF\s+REASON\n.*vendor\.disable\s+meta/)
  })

  it('fails with exit 1 and the API message when the credentials are wrong, changing nothing', async () => {
    const run = await cli(
      ['admin', 'vendors', 'disable', 'ga4', '--url', api.url],
      operatorEnv({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }),
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'tagwarden: The request signature we calculated does not match the signature you provided.\n',
    )
    expect(api.vendors.get('ga4')?.enabled).toBe(true)
  })

  it('refuses to enable a US vendor without a transfer safeguard: exit 1 naming the vendor and the field', async () => {
    const run = await cli(['admin', 'vendors', 'enable', 'linkedin', '--url', api.url])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      'tagwarden: linkedin: its recipient is in US, outside the EU/EEA, and no transfer safeguard is recorded (field: transfer.safeguard)\n',
    )
    expect(api.vendors.get('linkedin')?.enabled).toBe(false)
  })

  it('changes settings by read-modify-write, sending back the revision it read', async () => {
    const run = await cli([
      'admin',
      'vendors',
      'set',
      'ga4',
      'debug.enabled=true',
      'measurementId=G-NEW1',
      '--url',
      api.url,
    ])
    expect(run.code).toBe(0)
    expect(api.vendors.get('ga4')?.settings).toEqual({
      measurementId: 'G-NEW1',
      apiSecretName: 'tagwarden/ga4',
      debug: { enabled: true },
    })
    expect(run.stdout).toMatch(/\/settings\/measurementId: "G-TEST123" → "G-NEW1"/)
    expect(run.stdout).toMatch(/takes effect within 30 s/)
  })

  it('names the refused settings field', async () => {
    const run = await cli(['admin', 'vendors', 'set', 'ga4', 'measurementId=UA-1', '--url', api.url])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'tagwarden: expected a GA4 measurement id (G-…) (field: settings.measurementId)\n',
    )
  })

  it('publishes and lists policy versions, and redrives dead letters', async () => {
    const published = await cli([
      'admin',
      'policy',
      'publish',
      '7',
      '--effective',
      '2027-01-01T00:00:00Z',
      '--covers',
      'ga4:analytics,meta:marketing',
      '--summary',
      'adds Meta',
      '--url',
      api.url,
    ])
    expect(published.code).toBe(0)
    expect(published.stdout).toMatch(/policy\.publish\s+policy:7/)
    const listed = await cli(['admin', 'policy', 'list', '--url', api.url])
    expect(listed.stdout).toMatch(
      /^7\s+2027-01-01T00:00:00Z\s+\S+\s+ga4:analytics,meta:marketing\s+adds Meta$/m,
    )
    const again = await cli([
      'admin',
      'policy',
      'publish',
      '7',
      '--effective',
      '2027-01-01T00:00:00Z',
      '--covers',
      'ga4:analytics',
      '--url',
      api.url,
    ])
    expect(again).toMatchObject({
      code: 1,
      stderr: 'tagwarden: policy version 7 is already published (field: version)\n',
    })

    const redriven = await cli(['admin', 'redrive', 'ga4', '--url', api.url])
    expect(redriven.code).toBe(0)
    expect(redriven.stdout).toMatch(/moving 2 message\(s\) back to ga4's queue/)
  })

  it('prints the raw answer with --json', async () => {
    const run = await cli(['admin', 'vendors', 'show', 'meta', '--json', '--url', api.url])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      id: 'meta',
      transfer: { country: 'US', safeguard: 'dpf' },
    })
  })

  it('exits 2 with the usage text on a usage error, and 1 for an unknown vendor', async () => {
    const usage = await cli(['admin', 'vendors', 'show'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/^tagwarden: exactly one vendor id is needed\n\nUsage: tagwarden admin/)
    const noUrl = await cli(['admin', 'vendors', 'list'])
    expect(noUrl.code).toBe(2)
    expect(noUrl.stderr).toMatch(/TAGWARDEN_ADMIN_URL/)
    const unknown = await cli(['admin', 'vendors', 'show', 'tiktok', '--url', api.url])
    expect(unknown).toMatchObject({ code: 1, stderr: 'tagwarden: no vendor "tiktok" (field: id)\n' })
  })

  it('refuses a signed request whose body or path was changed after signing, and an unsigned one', async () => {
    const authenticate = sigV4Auth(REGION, CREDENTIALS)
    const url = new URL('/admin/vendors/ga4/disable', api.url)
    const signed = await authenticate({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: '{"reason":"a"}',
    })
    const send = (path: string, body: string, headers = signed.headers) =>
      rawRequest(new URL(path, api.url).href, { method: 'POST', headers, body })

    expect((await send('/admin/vendors/ga4/disable', '{"reason":"b"}')).status).toBe(403)
    expect((await send('/admin/vendors/meta/disable', '{"reason":"a"}')).status).toBe(403)
    expect(
      (await send('/admin/vendors/ga4/disable', '{"reason":"a"}', { 'content-type': 'application/json' }))
        .status,
    ).toBe(403)
    expect(api.vendors.get('ga4')?.enabled).toBe(true)
    expect(api.vendors.get('meta')?.enabled).toBe(true)
    const audit = await authenticate({
      method: 'GET',
      url: new URL('/admin/audit?limit=1', api.url),
      headers: {},
    })
    const auditAt = (query: string) =>
      rawRequest(new URL(`/admin/audit${query}`, api.url).href, { method: 'GET', headers: audit.headers })
    expect((await auditAt('?limit=500')).status).toBe(403)
    expect((await auditAt('?limit=1')).status).toBe(200)
    // The untouched request is accepted: the refusals above are the tampering, not the signing.
    expect((await send('/admin/vendors/ga4/disable', '{"reason":"a"}')).status).toBe(200)
  })
})

describe('tagwarden admin ui, as a child process', () => {
  let api: AdminApiStandIn
  let ui: ChildProcess
  let pageUrl: URL
  let sessionToken: string

  beforeAll(async () => {
    api = await startAdminApiStandIn({ sigv4: { region: REGION, ...CREDENTIALS } })
    ui = spawn(process.execPath, ['bin/tagwarden.js', 'admin', 'ui', '--port', '0', '--url', api.url], {
      env: operatorEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    ui.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    const printed = await eventually(
      () => /http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+/.exec(output)?.[0],
      15_000,
    )
    pageUrl = new URL(printed)
    sessionToken = pageUrl.hash.slice('#token='.length)
  })
  afterAll(async () => {
    ui?.kill('SIGTERM')
    await api?.close()
  })

  const proxied = (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) =>
    rawRequest(new URL(path, pageUrl.origin).href, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body,
    })

  it('prints a 127.0.0.1 address carrying a fresh 256-bit session token', () => {
    expect(pageUrl.hostname).toBe('127.0.0.1')
    expect(sessionToken).toMatch(/^[0-9a-f]{64}$/)
  })

  it('serves the page without the token, and proxies with it, signing with the operator credentials', async () => {
    const page = await proxied('/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('<h1>tagwarden admin</h1>')
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/)

    const answer = await proxied('/admin/vendors', { headers: { authorization: `Bearer ${sessionToken}` } })
    expect(answer.status).toBe(200)
    expect(vendorListAnswer.parse(JSON.parse(answer.body)).vendors.map((vendor) => vendor.id)).toEqual([
      'ga4',
      'meta',
      'linkedin',
    ])
    expect(api.calls.at(-1)).toEqual({ method: 'GET', path: '/admin/vendors', principal: SIGNED_PRINCIPAL })
  })

  it('refuses a proxied call without the session token, or with a wrong one, before reaching the API', async () => {
    const before = api.calls.length + api.refusals.length
    expect((await proxied('/admin/vendors')).status).toBe(401)
    expect(
      (await proxied('/admin/vendors', { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })).status,
    ).toBe(401)
    expect((await proxied('/admin/vendors', { headers: { authorization: sessionToken } })).status).toBe(401)
    expect(api.calls.length + api.refusals.length).toBe(before)
  })

  it('refuses another host name (DNS rebinding), another origin and a body over 64 KB', async () => {
    const auth = { authorization: `Bearer ${sessionToken}` }
    expect(
      (await proxied('/admin/vendors', { headers: { ...auth, host: `attacker.example:${pageUrl.port}` } }))
        .status,
    ).toBe(421)
    expect((await proxied('/', { headers: { host: 'attacker.example' } })).status).toBe(421)
    expect(
      (await proxied('/admin/vendors', { headers: { ...auth, origin: 'http://attacker.example' } })).status,
    ).toBe(403)
    const big = await proxied('/admin/vendors/ga4', {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { padding: 'x'.repeat(64 * 1024) } }),
    })
    expect(big.status).toBe(413)
    expect(JSON.parse(big.body)).toMatchObject({ field: 'body' })
  })

  it('passes the API refusal through to the page as it came', async () => {
    const answer = await proxied('/admin/vendors/linkedin/enable', {
      method: 'POST',
      headers: { authorization: `Bearer ${sessionToken}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(answer.status).toBe(409)
    expect(JSON.parse(answer.body)).toMatchObject({ field: 'transfer.safeguard' })
  })
})

describe('the admin client', () => {
  it('keeps a stage path of the API URL in front of every route', async () => {
    const paths: string[] = []
    const server = createServer((request, response) => {
      paths.push(request.url ?? '')
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"entries":[]}')
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const { port } = server.address() as AddressInfo
      const client = adminClient(new URL(`http://127.0.0.1:${port}/prod/`), sigV4Auth(REGION, CREDENTIALS))
      await client.call(auditAnswer, 'GET', '/admin/audit?limit=3')
      expect(paths).toEqual(['/prod/admin/audit?limit=3'])
    } finally {
      server.close()
    }
  })

  it('reads the vendor list in-process too', async () => {
    const api = await startAdminApiStandIn({ sigv4: { region: REGION, ...CREDENTIALS } })
    try {
      const client = adminClient(new URL(api.url), sigV4Auth(REGION, CREDENTIALS))
      const list = await client.call(vendorListAnswer, 'GET', '/admin/vendors')
      expect(list.takesEffectWithinSeconds).toBe(30)
    } finally {
      await api.close()
    }
  })
})
