import { configFromEnvironment } from '#shared/config/load.ts'
import { DEV_WRITE_KEY, developmentConfig } from './dev-config.ts'
import { startLocalSystem } from './system.ts'

const DEFAULT_PORT = 8787
/** Development-only stand-ins; real deployments take both from Secrets Manager. */
const DEV_PSEUDONYM_KEY = 'local-development-pseudonym-key-not-secret'
const DEV_GA4_API_SECRET = 'local-dev-ga4-api-secret'

const env = process.env
const config = configFromEnvironment(env, developmentConfig())
const vendorBaseUrl = env.TAGWARDEN_VENDOR_BASE_URL
const print = (line: string) => process.stdout.write(`${line}\n`)

const system = await startLocalSystem({
  config,
  port: env.PORT ? Number(env.PORT) : DEFAULT_PORT,
  pseudonymKey: env.TAGWARDEN_PSEUDONYM_KEY ?? DEV_PSEUDONYM_KEY,
  ga4ApiSecret: env.GA4_API_SECRET ?? DEV_GA4_API_SECRET,
  ...(vendorBaseUrl ? { vendorBaseUrl } : {}),
  trustProxy: env.TAGWARDEN_TRUST_PROXY === '1' || config.trustProxy,
  print,
})

print(`tagwarden listening on ${system.url}`)
print(`  embedded DynamoDB (dynalite) on ${system.dynamoEndpoint}`)
print(
  `  vendors: ${vendorBaseUrl ? `sending for real to ${vendorBaseUrl}` : 'dry run (see GET /__tagwarden/outbox)'}`,
)
if (!env.TAGWARDEN_CONFIG && !env.TAGWARDEN_CONFIG_JSON)
  print(`  development config: write key "${DEV_WRITE_KEY}"`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void system.close().then(() => process.exit(0))
  })
}
