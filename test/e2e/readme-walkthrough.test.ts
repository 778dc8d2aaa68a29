import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'

const README_PORT_URL = 'http://127.0.0.1:8787'

/** The shell block under "Try it with curl", exactly as a reader copies it. */
function walkthrough(): string {
  const readme = readFileSync('README.md', 'utf8')
  const section = readme.split('## Try it with curl')[1] ?? ''
  const block = section.match(/```sh\n([\s\S]*?)```/)?.[1]
  if (!block) throw new Error('README has no curl walkthrough')
  return block
}

interface Outbox {
  decisions: Array<{ allow: boolean; reason: string }>
  deliveries: Array<{ outcome: string; reason: string }>
  requests: Array<{
    url: string
    body: { client_id: string; events: Array<{ name: string; params: Record<string, unknown> }> }
  }>
}

describe('the README curl walkthrough, run as written against npm start', () => {
  let system: LocalProcess
  let output: string
  /** Where the reader's shell runs: curl's cookie jar file lands there. */
  const directory = mkdtempSync(join(tmpdir(), 'tagwarden-readme-'))

  beforeAll(async () => {
    system = await startLocalProcess({})
    const script = walkthrough().replaceAll(README_PORT_URL, system.url)
    output = execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
      cwd: directory,
    })
  }, 60_000)

  afterAll(() => {
    system?.stop()
    rmSync(directory, { recursive: true, force: true })
  })

  it('gets an answer from every step, the visitor reading and revoking with its cookie', () => {
    expect(output).toContain('"success":true')
    expect(output).toContain('"receiptId"')
    expect(output).toContain('"needsRenewal":false')
    expect(output).not.toContain('consent not found')
    expect(output).toContain('"analytics":false')
    expect(output).toContain('200 image/gif')
  })

  it('ends with GA4 receiving the consented page view and event, scrubbed and pseudonymous', async () => {
    const outbox = await eventually(async () => {
      const current = (await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as Outbox
      return current.requests.length > 0 && current.deliveries.length > 0 ? current : undefined
    })
    const events = outbox.requests.flatMap((request) => request.body.events)
    expect(events.map((event) => event.name)).toEqual(['page_view', 'signup_started'])
    const sent = JSON.stringify(outbox.requests)
    expect(sent).not.toContain('jane@example.com')
    expect(sent).not.toContain('token=')
    expect(sent).not.toContain('visitor-1')
    expect(outbox.requests[0]?.url).toContain('api_secret=[redacted]')
    expect(outbox.decisions.map((decision) => decision.reason)).toContain('no stored consent for analytics')
    expect(new Set(outbox.deliveries.map(({ outcome, reason }) => `${outcome}: ${reason}`))).toEqual(
      new Set(['recorded: dry run: recorded, not sent']),
    )
  })
})
