import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { ConfigError } from '#shared/config/errors.ts'

/** Local runtime and tests: the keys as JSON in this variable; deployed, a secret of the same JSON. */
export const CALENDLY_SIGNING_KEYS_VARIABLE = 'TAGWARDEN_CALENDLY_SIGNING_KEYS'

/** A site's Calendly signing key, or undefined when the site takes no Calendly webhooks. */
export type CalendlySigningKeys = (siteId: string) => Promise<string | undefined>

const signingKeysSchema = z.record(z.string(), z.string().check(z.minLength(8)))

/**
 * `{siteId: signingKey}` from its JSON text. A malformed secret is a deployment fault: thrown, never
 * quoted (the message names the problem's place only, not a key).
 */
export function parseSigningKeys(text: string): ReadonlyMap<string, string> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new ConfigError('Calendly signing keys are not valid JSON ({"siteId": "key"})')
  }
  const parsed = signingKeysSchema.safeParse(json)
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ')
    throw new ConfigError(
      `Calendly signing keys must be {"siteId": "key of ≥ 8 characters"}; wrong at ${where}`,
    )
  }
  return new Map(Object.entries(parsed.data))
}

/** Keys read through `readText` (a cached secret reader): a rotation is picked up without a deploy. */
export function signingKeysFrom(readText: () => Promise<string | undefined>): CalendlySigningKeys {
  let last: { text: string; keys: ReadonlyMap<string, string> } | undefined
  return async (siteId) => {
    const text = await readText()
    if (text === undefined) return undefined
    if (last?.text !== text) last = { text, keys: parseSigningKeys(text) }
    return last.keys.get(siteId)
  }
}
