import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { PURPOSES } from '#shared/consent/model.ts'

/** A published version's item in the config table (shared/policy/versions.ts), keys included. */
export const policyVersionItemSchema = z.object({
  sk: z.string().check(z.minLength(1)),
  version: z.string().check(z.minLength(1)),
  effectiveAt: z.iso.datetime({ offset: true }),
  publishedAt: z.iso.datetime({ offset: true }),
  covers: z.record(z.string(), z.array(z.enum(PURPOSES))),
  summary: z.optional(z.string()),
})

export type PolicyVersionItem = z.infer<typeof policyVersionItemSchema>
