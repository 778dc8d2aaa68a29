import { getSecret } from '@aws-lambda-powertools/parameters/secrets'
import { ENV } from '#shared/config/environment.ts'
import { ConfigError } from '#shared/config/errors.ts'

/**
 * A secret from the environment (`valueVariable`, how the local runtime and tests pass it) or else
 * from Secrets Manager by the ARN in `arnVariable` (how Lambda gets it). Neither: fail at init.
 */
export async function secretFromEnvironment(
  names: { valueVariable: string; arnVariable: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const direct = env[names.valueVariable]
  if (direct) return direct
  const arn = env[names.arnVariable]
  if (!arn) throw new ConfigError(`Missing secret: set ${names.valueVariable} or ${names.arnVariable}`)
  const value = await getSecret(arn, { maxAge: SECRET_MAX_AGE_SECONDS })
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(`Secret ${arn} is empty`)
  return value
}

/** How long a secret read from Secrets Manager is reused: a rotated value is picked up within this. */
export const SECRET_MAX_AGE_SECONDS = 300

/**
 * Reads the secret whenever asked, from Powertools' cache of at most SECRET_MAX_AGE_SECONDS, so a
 * rotation needs no redeploy. Undefined when neither variable is set or the secret is empty.
 */
export function secretReader(
  names: { valueVariable: string; arnVariable: string },
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<string | undefined> {
  return async () => {
    const direct = env[names.valueVariable]
    if (direct) return direct
    const arn = env[names.arnVariable]
    if (!arn) return undefined
    const value = await getSecret(arn, { maxAge: SECRET_MAX_AGE_SECONDS })
    return typeof value === 'string' && value.length > 0 ? value : undefined
  }
}

export const PSEUDONYM_SECRET = {
  valueVariable: 'TAGWARDEN_PSEUDONYM_KEY',
  arnVariable: ENV.pseudonymSecretArn,
} as const

/** Calendly webhook signing keys, JSON `{siteId: key}` (shared/sources/calendly/signing-keys.ts). */
export const CALENDLY_SIGNING_KEYS_SECRET = {
  valueVariable: 'TAGWARDEN_CALENDLY_SIGNING_KEYS',
  arnVariable: ENV.calendlySecretArn,
} as const
