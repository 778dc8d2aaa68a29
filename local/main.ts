import { resolve } from 'node:path'
import { ConfigError, configFromEnvironment } from '#shared/config/load.ts'
import { VENDOR_SETTINGS_MAX_AGE_MS } from '#shared/vendors/settings-store.ts'
import { DEFAULT_ADMIN_PORT } from './admin-server.ts'
import { vendorCredentials } from './credentials.ts'
import { DEV_WRITE_KEY, developmentConfig } from './dev-config.ts'
import { DEFAULT_OUTBOX_ENTRIES } from './outbox.ts'
import { startLocalSystem } from './system.ts'

const DEFAULT_PORT = 8787
/** Relative to the working directory, git-ignored. */
const DEFAULT_DATA_DIR = '.tagwarden'
/** Development-only stand-ins; real deployments take both from Secrets Manager. */
const DEV_PSEUDONYM_KEY = 'local-development-pseudonym-key-not-secret'

const env = process.env
const config = configFromEnvironment(env, developmentConfig())
const vendorBaseUrl = env.TAGWARDEN_VENDOR_BASE_URL
const print = (line: string) => process.stdout.write(`${line}\n`)
const dataDir = resolve(env.TAGWARDEN_DATA_DIR || DEFAULT_DATA_DIR)

const system = await startLocalSystem({
  config,
  port: env.PORT ? Number(env.PORT) : DEFAULT_PORT,
  pseudonymKey: env.TAGWARDEN_PSEUDONYM_KEY ?? DEV_PSEUDONYM_KEY,
  credentials: vendorCredentials(env),
  ...(vendorBaseUrl ? { vendorBaseUrl } : {}),
  trustProxy: env.TAGWARDEN_TRUST_PROXY === '1' || config.trustProxy,
  print,
  dataDir,
  outboxEntries: positiveInteger('TAGWARDEN_OUTBOX_ENTRIES', DEFAULT_OUTBOX_ENTRIES),
  adminPort: port('TAGWARDEN_ADMIN_PORT', DEFAULT_ADMIN_PORT),
  settingsMaxAgeMs: settingsCacheSeconds() * 1000,
  ...(env.TAGWARDEN_ADMIN_TOKEN ? { adminToken: env.TAGWARDEN_ADMIN_TOKEN } : {}),
  ...(env.TAGWARDEN_CALENDLY_SIGNING_KEYS
    ? { calendlySigningKeys: env.TAGWARDEN_CALENDLY_SIGNING_KEYS }
    : {}),
})

print(`tagwarden listening on ${system.url}`)
print(`  embedded DynamoDB (dynalite) on ${system.dynamoEndpoint}`)
print(`  data (consent, queues, dead letters): ${dataDir} (delete it to start afresh)`)
print(
  `  vendors: ${vendorBaseUrl ? `sending for real to ${vendorBaseUrl}` : 'dry run (see GET /__tagwarden/outbox)'}`,
)
print(`  admin API and page on ${system.adminUrl}/#token=${system.adminToken}`)
print(`  admin token (Authorization: Bearer …, TAGWARDEN_ADMIN_TOKEN): ${system.adminToken}`)
print(
  `  admin CLI: TAGWARDEN_ADMIN_URL=${system.adminUrl} TAGWARDEN_ADMIN_TOKEN=${system.adminToken} npx tagwarden admin vendors list`,
)
if (!env.TAGWARDEN_CONFIG && !env.TAGWARDEN_CONFIG_JSON)
  print(`  development config: write key "${DEV_WRITE_KEY}"`)

// SIGTERM/SIGINT: answer requests under way, let running deliveries finish (bounded), then exit;
// undelivered messages stay in the data directory. A second signal exits at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    print(`${signal}: draining deliveries, then exiting`)
    for (const again of ['SIGINT', 'SIGTERM'] as const) process.once(again, () => process.exit(1))
    void system.close().then(
      () => process.exit(0),
      (error: unknown) => {
        print(`[error] shutdown: ${String(error)}`)
        process.exit(1)
      },
    )
  })
}

function positiveInteger(name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`)
  return value
}

/** A TCP port, 0 meaning any free one. */
function port(name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new ConfigError(`${name} must be a port number (0 for any free port), got "${raw}"`)
  return value
}

/** TAGWARDEN_SETTINGS_CACHE_SECONDS: 1 to 30 (the deployed window), default 30. */
function settingsCacheSeconds(): number {
  const seconds = positiveInteger('TAGWARDEN_SETTINGS_CACHE_SECONDS', VENDOR_SETTINGS_MAX_AGE_MS / 1000)
  if (seconds * 1000 > VENDOR_SETTINGS_MAX_AGE_MS)
    throw new ConfigError(
      `TAGWARDEN_SETTINGS_CACHE_SECONDS must be at most ${VENDOR_SETTINGS_MAX_AGE_MS / 1000}, got ${seconds}`,
    )
  return seconds
}
