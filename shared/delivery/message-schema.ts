import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { VENDOR_IDS } from '#shared/vendors/index.ts'
import type { ErasureMessage, QueueMessage, VendorMessage } from './message.ts'

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
    anonymousStatistic: z.optional(z.literal(true)),
  }),
  enqueuedAt: z.iso.datetime({ offset: true }),
  payload: z.unknown(),
}) satisfies z.ZodMiniType<VendorMessage>

/** An erasure request as the deliverer reads it (see ErasureMessage). */
export const erasureMessageSchema = z.strictObject({
  kind: z.literal('erase'),
  vendor: z.enum(VENDOR_IDS),
  messageId: z.string().check(z.minLength(1)),
  erasureId: z.string().check(z.minLength(1)),
  siteId: z.string().check(z.minLength(1)),
  consentKey: z.string().check(z.minLength(1)),
  subject: z.strictObject({
    pseudonym: z.optional(z.string().check(z.minLength(1))),
    sealedEmail: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  }),
  enqueuedAt: z.iso.datetime({ offset: true }),
}) satisfies z.ZodMiniType<ErasureMessage>

type Parsed<M> = { ok: true; message: M } | { ok: false; reason: string }

/** The event message in a queue body, or why it is not one. */
export function parseVendorMessage(body: string): Parsed<VendorMessage> {
  const json = parseJson(body)
  if (!json.ok) return json
  return fromSchema(vendorMessageSchema, json.value, 'a vendor message')
}

/** An event or an erasure request (`kind: 'erase'`; a body without `kind` is an event). */
export function parseQueueMessage(body: string): Parsed<QueueMessage> {
  const json = parseJson(body)
  if (!json.ok) return json
  const kind = typeof json.value === 'object' && json.value !== null && 'kind' in json.value
  return kind
    ? fromSchema(erasureMessageSchema, json.value, 'an erasure request')
    : fromSchema(vendorMessageSchema, json.value, 'a vendor message')
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(body) }
  } catch {
    return { ok: false, reason: 'queue body is not JSON' }
  }
}

function fromSchema<M>(schema: z.ZodMiniType<M>, json: unknown, what: string): Parsed<M> {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))]
    return { ok: false, reason: `queue body is not ${what} (bad ${fields.join(', ')})` }
  }
  return { ok: true, message: parsed.data }
}
