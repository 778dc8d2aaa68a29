import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { PURPOSES } from '#shared/consent/model.ts'
import { anonymousIdSchema } from '#shared/consent/request-schema.ts'
import { ValidationError } from '#shared/http/errors.ts'

/** A reason is a short note for the audit trail, not a document. */
export const MAX_REASON_CHARS = 500
const reason = z.optional(z.string().check(z.maxLength(MAX_REASON_CHARS)))

export const reasonBodySchema = z.object({ reason })

export const putVendorBodySchema = z.object({
  settings: z.record(z.string(), z.unknown()),
  revision: z.optional(z.int().check(z.gte(0))),
  reason,
})

/** Letters, digits, `.`, `_`, `-`: safe in a sort key, a URL and a log line. */
const POLICY_VERSION_PATTERN = /^[A-Za-z0-9._-]{1,40}$/

export const publishPolicyBodySchema = z.object({
  version: z.string().check(z.regex(POLICY_VERSION_PATTERN, 'must be 1–40 characters of A–Z a–z 0–9 . _ -')),
  effectiveAt: z.iso.datetime({ offset: true }),
  covers: z.record(z.string(), z.array(z.enum(PURPOSES))),
  summary: z.optional(z.string().check(z.maxLength(MAX_REASON_CHARS))),
  reason,
})

/** The field an issue names: its path, or for an unknown key the first key refused. */
export function issueField(issue: z.core.$ZodIssue, prefix?: string): string {
  const path = issue.path.map(String)
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0])
  return [prefix, ...path].filter((part) => part !== undefined && part !== '').join('.') || 'body'
}

/** Parses a body by its schema; the first problem becomes a 400 naming the field. */
export function parseBody<T>(schema: z.ZodMiniType<T, unknown>, body: unknown, prefix?: string): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  if (!issue) throw new ValidationError(prefix ?? 'body', 'is invalid')
  throw new ValidationError(issueField(issue, prefix), issue.message)
}

export const privacyRequestBodySchema = z.strictObject({
  kind: z.enum(['export', 'erase', 'restrict', 'unrestrict']),
  siteId: z.string().check(z.minLength(1, 'must not be empty')),
  anonymousId: anonymousIdSchema,
  email: z.optional(z.email()),
  reason,
})
