import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App } from 'aws-cdk-lib'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../infra/bundling.ts'
import {
  CONFIG_FILE_CONTEXT_KEY,
  INLINE_CONFIG_CONTEXT_KEY,
  InfraConfigError,
  infraConfigFromContext,
  parseInfraConfig,
} from '../../infra/config.ts'
import { EXAMPLE_CONFIG_FILE, exampleConfigInput } from './synth.ts'

function problemsWith(input: unknown): string {
  try {
    parseInfraConfig(input)
  } catch (error) {
    if (error instanceof InfraConfigError) return error.message
    throw error
  }
  throw new Error('the configuration was accepted')
}

function withRuntime(change: (runtime: Record<string, unknown>) => Record<string, unknown>): unknown {
  const input = exampleConfigInput()
  const runtime = input.runtime
  if (typeof runtime !== 'object' || runtime === null) throw new Error('example has no runtime object')
  return { ...input, runtime: change({ ...runtime }) }
}

function writeTempConfig(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tagwarden-config-')), 'config.json')
  writeFileSync(file, content)
  return file
}

describe('deployment configuration', () => {
  it('fills documented defaults for the optional sections', () => {
    const {
      logRetentionDays: _retention,
      delivery: _delivery,
      collect: _collect,
      ...required
    } = exampleConfigInput()

    const config = parseInfraConfig(required)

    expect(config.logRetentionDays).toBe(30)
    expect(config.collect).toEqual({})
    expect(config.delivery).toEqual({
      maxReceiveCount: 12,
      deadLetterRetentionDays: 14,
      oldestMessageAlarmMinutes: 15,
      vendors: {},
    })
  })

  it('names a missing required value', () => {
    const { stage: _stage, ...withoutStage } = exampleConfigInput()

    expect(problemsWith(withoutStage)).toContain('stage: is required')
  })

  it('names a missing alarm address as missing, not as malformed', () => {
    const { alarmEmail: _alarmEmail, ...withoutAlarmEmail } = exampleConfigInput()

    expect(problemsWith(withoutAlarmEmail)).toContain('alarmEmail: is required')
  })

  it('names a missing throttling limit', () => {
    expect(problemsWith({ ...exampleConfigInput(), throttling: { rateLimit: 100 } })).toContain(
      'throttling.burstLimit: is required',
    )
  })

  it('names an alarm address that is not an e-mail address', () => {
    expect(problemsWith({ ...exampleConfigInput(), alarmEmail: 'ops' })).toContain(
      'alarmEmail: must be an e-mail address',
    )
  })

  it('names a log retention CloudWatch does not offer', () => {
    expect(problemsWith({ ...exampleConfigInput(), logRetentionDays: 10 })).toContain(
      'logRetentionDays: must be one of',
    )
  })

  it('names a vendor concurrency below the SQS event source minimum of 2', () => {
    const delivery = { vendors: { ga4: { maxConcurrency: 1 } } }

    expect(problemsWith({ ...exampleConfigInput(), delivery })).toContain(
      'delivery.vendors.ga4.maxConcurrency',
    )
  })

  it('names a collector reserved concurrency that is not a positive whole number', () => {
    for (const reservedConcurrency of [0, -5, 2.5, 'ten']) {
      expect(() => parseInfraConfig({ ...exampleConfigInput(), collect: { reservedConcurrency } })).toThrow(
        /collect\.reservedConcurrency: /,
      )
    }
  })

  it('names an unknown field instead of ignoring it', () => {
    expect(problemsWith({ ...exampleConfigInput(), alarmEmails: ['ops@example.com'] })).toContain(
      'alarmEmails',
    )
  })

  it('names a bad value inside the runtime configuration by its full path', () => {
    const input = withRuntime((runtime) => ({
      ...runtime,
      sites: [
        { id: 'www', writeKeys: ['a-long-write-key'], allowedOrigins: ['https://www.example.com/path'] },
      ],
    }))

    expect(problemsWith(input)).toContain('runtime.sites.0.allowedOrigins.0: must be an origin')
  })

  it('refuses a Meta test event code in a production deployment, and allows it in a test one', () => {
    const withTestCode = (production: boolean) => {
      const input = withRuntime((runtime) => ({
        ...runtime,
        vendors: { meta: { pixelId: '1234567890', testEventCode: 'TEST123' } },
      }))
      return typeof input === 'object' && input !== null ? { ...input, production } : input
    }

    expect(problemsWith(withTestCode(true))).toContain('runtime.vendors.meta: testEventCode routes events')
    expect(parseInfraConfig(withTestCode(false)).runtime.vendors.meta?.testEventCode).toBe('TEST123')
  })

  it('refuses a runtime configuration too large for the Lambda environment', () => {
    const writeKeys = Array.from({ length: 200 }, (_, index) => `write-key-number-${index}`)
    const input = withRuntime((runtime) => ({
      ...runtime,
      sites: [{ id: 'www', writeKeys, allowedOrigins: ['https://www.example.com'] }],
    }))

    expect(problemsWith(input)).toMatch(/runtime: is \d+ bytes as JSON/)
  })

  it('refuses a custom domain certificate from another region', () => {
    const customDomain = {
      domainName: 't.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666',
    }

    expect(problemsWith({ ...exampleConfigInput(), customDomain })).toContain(
      'customDomain.certificateArn: is in us-east-1; a regional API needs a certificate in eu-central-1',
    )
  })
})

describe('configuration from cdk context', () => {
  it('reads the file named by tagwarden:configFile', () => {
    const app = new App({ context: { [CONFIG_FILE_CONTEXT_KEY]: EXAMPLE_CONFIG_FILE } })

    expect(infraConfigFromContext(app.node).stage).toBe('example')
  })

  it('prefers the named file over an inline configuration', () => {
    const inline = { ...exampleConfigInput(), stage: 'inline' }
    const app = new App({
      context: { [CONFIG_FILE_CONTEXT_KEY]: EXAMPLE_CONFIG_FILE, [INLINE_CONFIG_CONTEXT_KEY]: inline },
    })

    expect(infraConfigFromContext(app.node).stage).toBe('example')
  })

  it('accepts an inline configuration given as a JSON string, as `-c` passes it', () => {
    const inline = JSON.stringify({ ...exampleConfigInput(), stage: 'inline' })
    const app = new App({ context: { [INLINE_CONFIG_CONTEXT_KEY]: inline } })

    expect(infraConfigFromContext(app.node).stage).toBe('inline')
  })

  it('says which context keys to set when there is no configuration', () => {
    const app = new App()

    expect(() => infraConfigFromContext(app.node)).toThrow(/tagwarden:configFile.*tagwarden:config/)
  })

  it('names a configuration file that cannot be read', () => {
    const app = new App({ context: { [CONFIG_FILE_CONTEXT_KEY]: '/nonexistent/tagwarden.json' } })

    expect(() => infraConfigFromContext(app.node)).toThrow(
      'Cannot read configuration file /nonexistent/tagwarden.json',
    )
  })

  it('names a configuration file that is not JSON', () => {
    const file = writeTempConfig('{ stage: example')
    const app = new App({ context: { [CONFIG_FILE_CONTEXT_KEY]: file } })

    expect(() => infraConfigFromContext(app.node)).toThrow(`configuration file ${file} is not valid JSON`)
  })
})

describe('infra/app.ts', () => {
  it('fails the synth with a message naming the bad value and no stack trace', () => {
    const file = writeTempConfig(
      JSON.stringify({ ...exampleConfigInput(), throttling: { rateLimit: -1, burstLimit: 10 } }),
    )

    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ [CONFIG_FILE_CONTEXT_KEY]: file }),
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'tagwarden-cdk-')),
      },
    })

    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`Invalid configuration file ${file}:`)
    expect(result.stderr).toContain('throttling.rateLimit:')
    expect(result.stderr).not.toContain('    at ')
  })
})
