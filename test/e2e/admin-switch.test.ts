import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'

const run = promisify(execFile)
const WRITE_KEY = 'local-dev-key'
const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
/** The settings window this run states (the deployed one is 30 s); the admin API must say the same. */
const WINDOW_SECONDS = 2
/** A visitor's browser (a script's own user agent is rightly taken for a bot). */
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

interface Delivery {
  vendor: string
  messageId: string
  outcome: string
  reason: string
}
interface Decision {
  vendor: string | null
  messageId: string
  allow: boolean
  reason: string
}

/**
 * The admin's switch through `npm start` and the CLI, as an admin would use it: switching GA4 off stops
 * its deliveries within the window the answer states, the events already queued included, and the
 * change is in the audit trail with who made it and why.
 */
describe('switching a vendor off with the admin CLI (npm start)', () => {
  let ga4: CaptureServer
  let system: LocalProcess
  let admin: { url: string; token: string }
  let vendorAnswers = 204
  const ga4Requests = () => ga4.requests.filter((request) => request.path === '/mp/collect')

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/tagwarden.js', 'admin', ...args], {
        env: { ...process.env, TAGWARDEN_ADMIN_URL: admin.url, TAGWARDEN_ADMIN_TOKEN: admin.token },
      })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
    }
  }
  const post = (path: string, body: unknown) =>
    fetch(`${system.url}${path}`, {
      method: path === '/v1/consent' ? 'PUT' : 'POST',
      headers: { 'content-type': 'application/json', authorization, 'user-agent': BROWSER },
      body: JSON.stringify(body),
    })
  const track = async (messageId: string) =>
    expect(
      (await post('/v1/track', { anonymousId: 'visitor-1', event: 'Signed Up', messageId })).status,
    ).toBe(200)
  const outbox = async () =>
    (await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as {
      decisions: Decision[]
      deliveries: Delivery[]
    }

  beforeAll(async () => {
    ga4 = await startCaptureServer({ respond: () => ({ status: vendorAnswers }) })
    system = await startLocalProcess({
      TAGWARDEN_VENDOR_BASE_URL: ga4.url,
      TAGWARDEN_SETTINGS_CACHE_SECONDS: String(WINDOW_SECONDS),
    })
    const printed = system
      .output()
      .match(/admin API and page on (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]+)/)
    if (!printed) throw new Error(`npm start printed no admin URL:\n${system.output()}`)
    admin = { url: printed[1] ?? '', token: printed[2] ?? '' }
    expect(
      (await post('/v1/consent', { anonymousId: 'visitor-1', purposes: { analytics: true } })).status,
    ).toBe(200)
  }, 60_000)

  afterAll(async () => {
    await system?.stop()
    await ga4?.close()
  })

  it('refuses every admin call without the local admin token', async () => {
    const answer = await fetch(`${admin.url}/admin/vendors`)
    expect(answer.status).toBe(401)
    const wrong = await cli('vendors', 'list', '--token', 'not-the-token')
    expect(wrong.code).toBe(1)
  })

  it('stops deliveries, queued ones included, within the stated window, and audits the change', async () => {
    const outcomes = async (prefix: string, outcome: string) =>
      new Set(
        (await outbox()).deliveries
          .filter((d) => d.messageId.startsWith(prefix) && d.outcome === outcome)
          .map((d) => d.messageId),
      ).size
    for (const id of ['before-1', 'before-2']) await track(id)
    await eventually(async () => (await outcomes('before-', 'delivered')) === 2 || undefined, 15_000)

    // GA4 fails for a while: these events wait in the queue for their retry.
    vendorAnswers = 503
    for (const id of ['queued-1', 'queued-2', 'queued-3']) await track(id)
    await eventually(async () => (await outcomes('queued-', 'retry')) === 3 || undefined, 15_000)

    const switched = await cli('vendors', 'disable', 'ga4', '--reason', 'e2e: pixel misconfigured')
    expect(switched.code, switched.stderr).toBe(0)
    expect(switched.stdout).toContain(`takes effect within ${WINDOW_SECONDS} s`)
    const switchedAt = Date.now()

    // Once the window has passed GA4 answers again; nothing queued may reach it any more.
    await new Promise((resolve) => setTimeout(resolve, (WINDOW_SECONDS + 1) * 1000))
    vendorAnswers = 204
    const sentBefore = ga4Requests().length
    await track('after-1')

    const withheld = await eventually(async () => {
      const { deliveries } = await outbox()
      const queued = deliveries.filter((d) => d.messageId.startsWith('queued-') && d.outcome === 'withheld')
      return new Set(queued.map((d) => d.messageId)).size === 3 ? queued : undefined
    }, 30_000)
    expect(new Set(withheld.map((d) => d.reason))).toEqual(new Set(['ga4 is switched off by admin']))
    const { decisions, deliveries } = await outbox()
    expect(decisions.find((d) => d.messageId === 'after-1' && d.vendor === 'ga4')).toMatchObject({
      allow: false,
      reason: 'ga4 is switched off by admin',
    })
    // Counted: the two sent before, the three queued withheld, the one after refused at collect.
    const delivered = deliveries.filter((d) => d.vendor === 'ga4' && d.outcome === 'delivered')
    expect(new Set(delivered.map((d) => d.messageId))).toEqual(new Set(['before-1', 'before-2']))
    expect(ga4Requests().length).toBe(sentBefore)
    expect(Date.now() - switchedAt).toBeGreaterThan(WINDOW_SECONDS * 1000)

    const audit = await cli('audit', '--json')
    expect(audit.code, audit.stderr).toBe(0)
    const entries = (JSON.parse(audit.stdout) as { entries: Array<Record<string, unknown>> }).entries
    expect(entries[0]).toMatchObject({
      principal: 'local:admin',
      action: 'vendor.disable',
      target: 'ga4',
      reason: 'e2e: pixel misconfigured',
      diff: [{ path: '/enabled', before: true, after: false }],
    })
  }, 90_000)

  it('refuses to switch on a US vendor without a transfer safeguard, and records nothing', async () => {
    const before = JSON.parse((await cli('audit', '--json')).stdout) as { entries: unknown[] }
    const refused = await cli('vendors', 'set', 'linkedin', 'enabled=true', 'transfer.safeguard=none')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/LinkedIn.*\(linkedin\).*US.*no transfer safeguard/)
    const after = JSON.parse((await cli('audit', '--json')).stdout) as { entries: unknown[] }
    expect(after.entries).toHaveLength(before.entries.length)
    const shown = JSON.parse((await cli('vendors', 'show', 'linkedin', '--json')).stdout) as {
      enabled: boolean
    }
    expect(shown.enabled).toBe(false)
  }, 30_000)
})
