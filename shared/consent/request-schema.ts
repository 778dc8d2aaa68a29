import '#shared/lib/zod-messages.ts'
import type { core } from 'zod/mini'
import * as z from 'zod/mini'

export const MAX_ANONYMOUS_ID_LENGTH = 256

/** The visitor's first-party id (Segment `anonymousId`), in a body or a path. */
export const anonymousIdSchema = z
  .string()
  .check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(MAX_ANONYMOUS_ID_LENGTH, `must be at most ${MAX_ANONYMOUS_ID_LENGTH} characters`),
  )

/**
 * Body of `PUT /v1/consent`. A purpose left out is stored as refused (default deny). `anonymousId` may
 * be left out by a browser (the tag): the `tw_id` cookie's id is used, or a new one; the server key
 * must name it (the handler refuses its absence).
 */
export const consentRequestSchema = z.strictObject({
  anonymousId: z.optional(anonymousIdSchema),
  purposes: z.strictObject({
    analytics: z.optional(z.boolean()),
    marketing: z.optional(z.boolean()),
  }),
  writeKey: z.optional(z.string()),
})

export type ConsentRequest = z.infer<typeof consentRequestSchema>

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; message: string }

/** The first problem, named by the dotted path of the field at fault (`purposes.analytics`). */
export function describeIssue(issue: core.$ZodIssue): { field: string; message: string } {
  const path = issue.path.map(String)
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? ''
    return { field: [...path, key].join('.'), message: 'is not a known field' }
  }
  return { field: path.length > 0 ? path.join('.') : 'body', message: issue.message }
}

export function parseConsentRequest(input: unknown): Parsed<ConsentRequest> {
  const result = consentRequestSchema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const [issue] = result.error.issues
  return issue ? { ok: false, ...describeIssue(issue) } : { ok: false, field: 'body', message: 'is invalid' }
}

/** Body of `POST /v1/consent/{anonymousId}/objection`: the version whose notice the visitor objects to. */
export const objectionRequestSchema = z.strictObject({
  policyVersion: z.string().check(z.minLength(1, 'must not be empty')),
  writeKey: z.optional(z.string()),
})

export type ObjectionRequest = z.infer<typeof objectionRequestSchema>

export function parseObjectionRequest(input: unknown): Parsed<ObjectionRequest> {
  const result = objectionRequestSchema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const [issue] = result.error.issues
  return issue ? { ok: false, ...describeIssue(issue) } : { ok: false, field: 'body', message: 'is invalid' }
}
