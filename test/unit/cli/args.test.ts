import { describe, expect, it } from 'vitest'
import { DEFAULT_UI_PORT, parseCommandLine, parseCovers } from '../../../cli/args.ts'

function command(line: string) {
  const parsed = parseCommandLine(line.split(' '))
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.invocation
}

function refusal(line: string): string {
  const parsed = parseCommandLine(line.split(' '))
  if (parsed.ok) throw new Error(`accepted: ${line}`)
  return parsed.error
}

describe('the admin command line', () => {
  it('reads each command with its operands and options', () => {
    expect(command('admin vendors list --json').command).toEqual({ kind: 'vendors-list' })
    expect(command('admin vendors list --json').json).toBe(true)
    expect(command('admin vendors show ga4').command).toEqual({ kind: 'vendors-show', id: 'ga4' })
    expect(command('admin vendors disable meta --reason incident').command).toEqual({
      kind: 'vendors-disable',
      id: 'meta',
      reason: 'incident',
    })
    expect(command('admin redrive ga4').command).toMatchObject({ kind: 'redrive', id: 'ga4' })
    expect(command('admin audit --from 2026-01-01T00:00:00Z --limit 20').command).toEqual({
      kind: 'audit',
      from: '2026-01-01T00:00:00Z',
      to: undefined,
      limit: 20,
    })
    expect(command('admin ui').command).toEqual({ kind: 'ui', port: DEFAULT_UI_PORT })
    expect(command('admin ui --port 9000').command).toEqual({ kind: 'ui', port: 9000 })
  })

  it('takes the URL and the token as global options anywhere on the line', () => {
    const invocation = command('--url http://127.0.0.1:8788 admin vendors list --token t0k')
    expect(invocation).toMatchObject({ url: 'http://127.0.0.1:8788', token: 't0k' })
  })

  it('reads set with its key=value pairs', () => {
    expect(command('admin vendors set ga4 measurementId=G-1 debug.enabled=true --reason x').command).toEqual({
      kind: 'vendors-set',
      id: 'ga4',
      assignments: [
        { path: ['measurementId'], value: 'G-1' },
        { path: ['debug', 'enabled'], value: true },
      ],
      reason: 'x',
    })
  })

  it('reads policy publish with its coverage', () => {
    expect(
      command('admin policy publish 3 --effective 2027-01-01T00:00:00Z --covers ga4:analytics,meta:marketing')
        .command,
    ).toEqual({
      kind: 'policy-publish',
      version: '3',
      effectiveAt: '2027-01-01T00:00:00Z',
      covers: { ga4: ['analytics'], meta: ['marketing'] },
      summary: undefined,
      reason: undefined,
    })
  })

  it('reads a privacy request with its visitor, and the request list', () => {
    expect(
      command('admin privacy erase --site shop --visitor v-1 --email a@example.com --reason ticket-9')
        .command,
    ).toEqual({
      kind: 'privacy-run',
      request: 'erase',
      siteId: 'shop',
      anonymousId: 'v-1',
      email: 'a@example.com',
      reason: 'ticket-9',
    })
    expect(command('admin privacy export --site shop --visitor v-1').command).toMatchObject({
      kind: 'privacy-run',
      request: 'export',
    })
    expect(command('admin privacy list').command).toEqual({ kind: 'privacy-list' })
  })

  it('gives help for --help or nothing at all', () => {
    expect(command('--help').command).toEqual({ kind: 'help' })
    expect(parseCommandLine([])).toEqual({
      ok: true,
      invocation: { command: { kind: 'help' }, url: undefined, token: undefined, json: false },
    })
  })

  it('refuses what it cannot read, saying what is wrong', () => {
    expect(refusal('admin vendors frobnicate')).toMatch(/unknown vendors command "frobnicate"/)
    expect(refusal('admin vendors show')).toMatch(/exactly one vendor id/)
    expect(refusal('admin vendors show ga4 meta')).toMatch(/exactly one vendor id/)
    expect(refusal('admin vendors set ga4')).toMatch(/key=value/)
    expect(refusal('admin vendors set ga4 =1')).toMatch(/key=value/)
    expect(refusal('admin vendors set ga4 a..b=1')).toMatch(/empty segment/)
    expect(refusal('admin audit --limit 0')).toMatch(/--limit/)
    expect(refusal('admin audit --from yesterday')).toMatch(/--from/)
    expect(refusal('admin policy publish 3 --covers ga4:analytics')).toMatch(/--effective/)
    expect(refusal('admin policy publish 3 --effective 2027-01-01 --covers ga4:ads')).toMatch(/--covers/)
    expect(refusal('admin ui --port 70000')).toMatch(/--port/)
    expect(refusal('admin vendors list --colour')).toMatch(/Unknown option '--colour'/)
    expect(refusal('admin privacy forget --site shop --visitor v-1')).toMatch(
      /unknown privacy command "forget"/,
    )
    expect(refusal('admin privacy export --visitor v-1')).toMatch(/--site/)
    expect(refusal('admin privacy restrict --site shop')).toMatch(/--visitor/)
    expect(refusal('admin privacy export --site shop --visitor v-1 --email a@example.com')).toMatch(/--email/)
    expect(refusal('deploy')).toMatch(/unknown command "deploy"/)
  })
})

describe('policy coverage', () => {
  it('gathers each vendor purposes once', () => {
    expect(parseCovers('ga4:analytics,ga4:marketing,ga4:analytics, meta:marketing')).toEqual({
      ga4: ['analytics', 'marketing'],
      meta: ['marketing'],
    })
  })
})
