import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, configFromEnvironment, parseConfig, requireEnv } from '#shared/config/load.ts'

const VALID = {
  sites: [{ id: 'www', writeKeys: ['pk_live_9f8e7d6c'], allowedOrigins: ['https://www.example.com'] }],
  vendors: { ga4: { enabled: true, measurementId: 'G-ABC123' } },
}

function fileWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tagwarden-config-')), 'config.json')
  writeFileSync(path, text)
  return path
}

describe('configuration loading', () => {
  it('fills privacy-preserving defaults: EU endpoint, no IP to GA4, opt-in legal basis', () => {
    const config = parseConfig(VALID)
    expect(config.vendors.ga4).toMatchObject({
      endpoint: 'eu',
      sendTruncatedIp: false,
      legalBasis: 'consent',
    })
    expect(config.trustProxy).toBe(false)
    expect(config.retention.consentDays).toBe(395)
  })

  it('names every bad field by its path', () => {
    const bad = {
      sites: [{ id: 'www', writeKeys: ['short'], allowedOrigins: ['https://www.example.com/path'] }],
      vendors: { ga4: { measurementId: 'UA-123' } },
    }
    expect(() => parseConfig(bad)).toThrow(ConfigError)
    const message = (() => {
      try {
        parseConfig(bad)
      } catch (error) {
        return String(error)
      }
    })()
    expect(message).toContain('sites.0.writeKeys.0')
    expect(message).toContain('sites.0.allowedOrigins.0')
    expect(message).toContain('vendors.ga4.measurementId')
  })

  it('refuses unknown keys so a typo cannot silently switch a setting off', () => {
    expect(() => parseConfig({ ...VALID, trustProxi: true })).toThrow(/trustProxi/)
  })

  it('reads inline JSON first, then a file, then the fallback', () => {
    const fallback = parseConfig(VALID)
    const file = fileWith(JSON.stringify({ ...VALID, policyVersion: 'from-file' }))
    const inline = JSON.stringify({ ...VALID, policyVersion: 'inline' })
    expect(
      configFromEnvironment({ TAGWARDEN_CONFIG_JSON: inline, TAGWARDEN_CONFIG: file }).policyVersion,
    ).toBe('inline')
    expect(configFromEnvironment({ TAGWARDEN_CONFIG: file }).policyVersion).toBe('from-file')
    expect(configFromEnvironment({}, fallback)).toBe(fallback)
  })

  it('fails at init with a clear message when configuration is missing or unreadable', () => {
    expect(() => configFromEnvironment({})).toThrow(/TAGWARDEN_CONFIG_JSON or TAGWARDEN_CONFIG/)
    expect(() => configFromEnvironment({ TAGWARDEN_CONFIG: '/nonexistent/config.json' })).toThrow(
      /Cannot read/,
    )
    expect(() => configFromEnvironment({ TAGWARDEN_CONFIG: fileWith('{nope') })).toThrow(/not valid JSON/)
    expect(() => requireEnv('CONSENT_TABLE_NAME', {})).toThrow(/CONSENT_TABLE_NAME/)
  })
})
