import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'

/**
 * The e-mail an admin gives for a vendor that erases by it (HubSpot) crosses the vendor's queue sealed:
 * AES-256-GCM under a key derived from the pseudonym key, bound to the erasure and vendor it is for, so
 * neither the queue, its dead-letter queue nor anyone reading them sees it, and it opens only at send
 * time in the deliverer.
 */
const SEAL_LABEL = 'erasure-email-seal\u0000v1'
const VERSION = 'v1.'
const IV_BYTES = 12
const TAG_BYTES = 16

function sealKey(pseudonymKey: string): Buffer {
  return createHmac('sha256', pseudonymKey).update(SEAL_LABEL).digest()
}

/** What a sealed e-mail is bound to: opening it for another erasure or vendor fails. */
export function sealBinding(erasureId: string, vendor: string): string {
  return `${erasureId}\u0000${vendor}`
}

export function sealEmail(pseudonymKey: string, email: string, binding: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', sealKey(pseudonymKey), iv)
  cipher.setAAD(Buffer.from(binding, 'utf8'))
  const sealed = Buffer.concat([cipher.update(email, 'utf8'), cipher.final()])
  return VERSION + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url')
}

/** The e-mail, or undefined when the text was not sealed under this key for this binding. */
export function openEmail(pseudonymKey: string, sealed: string, binding: string): string | undefined {
  if (!sealed.startsWith(VERSION)) return undefined
  const bytes = Buffer.from(sealed.slice(VERSION.length), 'base64url')
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(pseudonymKey), bytes.subarray(0, IV_BYTES))
    decipher.setAAD(Buffer.from(binding, 'utf8'))
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
    const opened = decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES))
    return Buffer.concat([opened, decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}
