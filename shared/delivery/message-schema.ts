import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { VENDOR_IDS } from '#shared/vendors/index.ts'
import type { VendorMessage } from './message.ts'

/** A queue body as the deliverer reads it: parsed, never cast. The payload is the vendor adapter's to check. */
export const vendorMessageSchema = z.object({
  vendor: z.enum(VENDOR_IDS),
  messageId: z.string().check(z.minLength(1)),
  siteId: z.string().check(z.minLength(1)),
  consentKey: z.string().check(z.minLength(1)),
  recheck: z.object({
    eventType: z.enum(['page', 'track', 'identify']),
    eventConsent: z.optional(
      z.object({ analytics: z.optional(z.boolean()), marketing: z.optional(z.boolean()) }),
    ),
    gpc: z.boolean(),
    requestedByVisitor: z.optional(z.literal(true)),
  }),
  enqueuedAt: z.iso.datetime({ offset: true }),
  payload: z.unknown(),
}) satisfies z.ZodMiniType<VendorMessage>

/** The message in a queue body, or why it is not one. */
export function parseVendorMessage(
  body: string,
): { ok: true; message: VendorMessage } | { ok: false; reason: string } {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { ok: false, reason: 'queue body is not JSON' }
  }
  const parsed = vendorMessageSchema.safeParse(json)
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))]
    return { ok: false, reason: `queue body is not a vendor message (bad ${fields.join(', ')})` }
  }
  return { ok: true, message: parsed.data }
}
