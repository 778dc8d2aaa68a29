import { readFileSync } from 'node:fs'
import { ConfigError } from './errors.ts'
import { configSchema, type TagwardenConfig } from './schema.ts'

export { requireEnv } from './environment.ts'
export { ConfigError } from './errors.ts'

/** Validates a configuration object; the error names every bad field by its path. */
export function parseConfig(input: unknown, source = 'configuration'): TagwardenConfig {
  const result = configSchema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map(
    (issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  )
  throw new ConfigError(`Invalid ${source}:\n${problems.join('\n')}`)
}

export function readConfigFile(path: string): TagwardenConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new ConfigError(`Cannot read configuration file ${path}`, { cause })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new ConfigError(`Configuration file ${path} is not valid JSON`, { cause })
  }
  return parseConfig(json, `configuration file ${path}`)
}

/**
 * The configuration a function runs with: inline JSON in TAGWARDEN_CONFIG_JSON (how Lambda gets it)
 * or a file named by TAGWARDEN_CONFIG. Without either, `fallback` or a ConfigError at init.
 */
export function configFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  fallback?: TagwardenConfig,
): TagwardenConfig {
  const inline = env.TAGWARDEN_CONFIG_JSON
  if (inline) {
    let json: unknown
    try {
      json = JSON.parse(inline)
    } catch (cause) {
      throw new ConfigError('TAGWARDEN_CONFIG_JSON is not valid JSON', { cause })
    }
    return parseConfig(json, 'TAGWARDEN_CONFIG_JSON')
  }
  if (env.TAGWARDEN_CONFIG) return readConfigFile(env.TAGWARDEN_CONFIG)
  if (fallback) return fallback
  throw new ConfigError('No configuration: set TAGWARDEN_CONFIG_JSON or TAGWARDEN_CONFIG')
}
