import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'

/**
 * The visitor reference (issue 11): what the tag may hand to a third party (Calendly's `utm_content`)
 * so that an inbound webhook can be linked back to the visitor, without that third party learning the
 * visitor id. `r1.<base64url(iv ‖ ciphertext ‖ tag)>`: AES-256-GCM of the visitor id under a key
 * derived from the pseudonym key and bound to the site, so a reference opens only for its own site
 * and a changed character makes it unreadable. A fresh IV per reference: two references of one
 * visitor cannot be matched by whoever sees them.
 */
const PREFIX = 'r1.'
const KEY_LABEL = 'tagwarden visitor ref v1'
const IV_BYTES = 12
const TAG_BYTES = 16
/** Calendly keeps tracking values of up to 255 characters; a reference stays well below. */
export const MAX_VISITOR_REF_LENGTH = 255
const REF_BODY = /^[A-Za-z0-9_-]+$/

function refKey(pseudonymKey: string, siteId: string): Buffer {
  return createHmac('sha256', pseudonymKey).update(`${KEY_LABEL}\u0000${siteId}`).digest()
}

export function visitorRef(pseudonymKey: string, siteId: string, anonymousId: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', refKey(pseudonymKey, siteId), iv)
  const sealed = Buffer.concat([iv, cipher.update(anonymousId, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${PREFIX}${sealed.toString('base64url')}`
}

/** The visitor id a reference was made for, or undefined for anything this key did not make for this site. */
export function visitorFromRef(pseudonymKey: string, siteId: string, ref: string): string | undefined {
  if (ref.length > MAX_VISITOR_REF_LENGTH || !ref.startsWith(PREFIX)) return undefined
  const body = ref.slice(PREFIX.length)
  if (!REF_BODY.test(body)) return undefined
  const sealed = Buffer.from(body, 'base64url')
  if (sealed.length <= IV_BYTES + TAG_BYTES) return undefined
  const iv = sealed.subarray(0, IV_BYTES)
  const tag = sealed.subarray(sealed.length - TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', refKey(pseudonymKey, siteId), iv)
  decipher.setAuthTag(tag)
  try {
    const id = Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ])
    return id.toString('utf8')
  } catch {
    return undefined
  }
}
