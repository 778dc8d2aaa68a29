import { createHash } from 'node:crypto'

/**
 * Our own namespace for event uuids (a random v4, fixed forever): changing it would make HubSpot
 * count every retried event of the deploy window twice.
 */
const TAGWARDEN_HUBSPOT_NAMESPACE = '6f1c2b0e-8d4a-4f6e-9b3a-2c7d5e1f0a94'
const VERSION_NIBBLE = 0x50
const VARIANT_BITS = 0x80
const UUID_BYTES = 16

/**
 * The event's HubSpot `uuid`: an RFC 9562 version-5-style UUID, but with SHA-256 instead of SHA-1
 * (name-based and deterministic, so every retry of a message carries the same uuid).
 */
export function eventUuid(messageId: string): string {
  const namespace = Buffer.from(TAGWARDEN_HUBSPOT_NAMESPACE.replaceAll('-', ''), 'hex')
  const bytes = createHash('sha256')
    .update(namespace)
    .update(messageId, 'utf8')
    .digest()
    .subarray(0, UUID_BYTES)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | VERSION_NIBBLE
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | VARIANT_BITS
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
