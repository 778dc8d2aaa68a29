import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { PRIVACY_ROUTES } from '#shared/rights/api.ts'
import { anonymousIdSchema, describeIssue, type Parsed } from './request-schema.ts'

/** Bodies of the `/v1/privacy/*` routes (shared/rights/api.ts): the visitor id always in the body. */
const visitorBody = { anonymousId: anonymousIdSchema, writeKey: z.optional(z.string()) }

const purposeFlags = z.strictObject({
  analytics: z.optional(z.boolean()),
  marketing: z.optional(z.boolean()),
})

const MAX_TRAITS = 50

export const privacyRequestSchemas = {
  export: z.strictObject(visitorBody),
  restrict: z.strictObject({ ...visitorBody, restricted: z.boolean() }),
  object: z.strictObject({ ...visitorBody, purposes: purposeFlags }),
  traits: z.strictObject({
    ...visitorBody,
    traits: z
      .record(z.string(), z.unknown())
      .check(
        z.refine(
          (traits) => Object.keys(traits).length <= MAX_TRAITS,
          `must have at most ${MAX_TRAITS} traits`,
        ),
      ),
  }),
  erase: z.strictObject(visitorBody),
  eraseStatus: z.strictObject({
    ...visitorBody,
    erasureId: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'is too long')),
  }),
} as const

export type PrivacyAction = keyof typeof PRIVACY_ROUTES
const PRIVACY_ACTIONS: ReadonlyArray<PrivacyAction> = [
  'export',
  'restrict',
  'object',
  'traits',
  'erase',
  'eraseStatus',
]

/** The action of a `/v1/privacy/*` path, or undefined for any other path. */
export const privacyActionOf = (path: string): PrivacyAction | undefined =>
  PRIVACY_ACTIONS.find((action) => PRIVACY_ROUTES[action] === path)

/** `PUT` for traits (rectification replaces them), `POST` for every other right. */
export const privacyMethodOf = (action: PrivacyAction): 'PUT' | 'POST' =>
  action === 'traits' ? 'PUT' : 'POST'

/** The body parsed by one of the schemas above; the first problem names its field. */
export function parsePrivacyBody<T>(schema: z.ZodMiniType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const [issue] = result.error.issues
  return issue ? { ok: false, ...describeIssue(issue) } : { ok: false, field: 'body', message: 'is invalid' }
}
