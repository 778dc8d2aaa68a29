import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { validateEvent } from '#shared/events/schema.ts'
import { deriveIdentity, ExternalIdError, hashedTraitsOf } from '#shared/identity/derive.ts'
import { extractIdentity, type IdentityCandidates } from '#shared/identity/extract.ts'
import { IDENTITY_KINDS } from '#shared/identity/kinds.ts'
import { vendorPseudonym } from '#shared/privacy/pseudonym.ts'

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')
const FBP = 'fb.1.1596403881668.1116446470'
const UTK = '9b1f4c3e2a5d6f7081929a3b4c5d6e7f'
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36'

function candidatesOf(traits: Record<string, unknown>, cookies: string[] = []): IdentityCandidates {
  const result = validateEvent({ type: 'identify', anonymousId: 'visitor-1', traits })
  if (!result.ok) throw new Error(result.message)
  return extractIdentity({ event: result.event, cookies, userAgent: CHROME, receivedAt: new Date() })
}

const identified = candidatesOf(
  { email: ' Jane@Example.com ', phone: '+1 (650) 555-1212', firstName: 'Mary', country: 'US' },
  [`_fbp=${FBP}`, `hubspotutk=${UTK}`],
)

describe('deriveIdentity', () => {
  it("gives Meta's declared kinds in their final forms", () => {
    const granted = deriveIdentity(identified, ['email', 'phone', 'firstName', 'country', 'userAgent', 'fbp'])

    expect(granted).toEqual({
      email: sha256('jane@example.com'),
      phone: 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176',
      firstName: '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec',
      country: sha256('us'),
      userAgent: CHROME,
      fbp: FBP,
    })
  })

  it('gives only the kinds listed: HubSpot declaring hubspotutk receives no e-mail or user agent', () => {
    expect(deriveIdentity(identified, ['hubspotutk'])).toEqual({ hubspotutk: UTK })
    expect(deriveIdentity(identified, [])).toEqual({})
  })

  it('leaves out a declared kind the visitor did not provide', () => {
    expect(deriveIdentity(identified, ['lastName', 'fbc', 'liFatId'])).toEqual({})
  })

  it("takes a trait remembered from an earlier identify where this event has none; this event's wins", () => {
    const stored = { lastName: sha256('doe'), email: sha256('old@example.com') }
    const granted = deriveIdentity(identified, ['email', 'lastName'], { storedTraits: stored })

    expect(granted).toEqual({ email: sha256('jane@example.com'), lastName: sha256('doe') })
  })

  it('ignores a stored trait that is not a SHA-256', () => {
    expect(deriveIdentity(identified, ['lastName'], { storedTraits: { lastName: 'doe' } })).toEqual({})
  })

  it('computes the external id only when the vendor declares it', () => {
    const externalId = vi.fn(() => vendorPseudonym('key-0123456789abcdef', 'meta', 'site', 'visitor-1'))

    deriveIdentity(identified, ['email'], { externalId })
    expect(externalId).not.toHaveBeenCalled()

    const granted = deriveIdentity(identified, ['externalId'], { externalId })
    expect(externalId).toHaveBeenCalledOnce()
    expect(granted.externalId).toMatch(/^[a-f0-9]{64}$/)
  })

  it('refuses an external id that is not a 64-hex pseudonym (the first-party id must never go out)', () => {
    expect(() => deriveIdentity(identified, ['externalId'], { externalId: () => 'visitor-1' })).toThrow(
      ExternalIdError,
    )
  })

  it('never puts a raw trait in what a vendor receives', () => {
    fc.assert(
      fc.property(fc.subarray([...IDENTITY_KINDS]), (kinds) => {
        const granted = JSON.stringify(deriveIdentity(identified, kinds))
        for (const clear of ['Jane', 'jane@example.com', 'Mary', 'mary']) expect(granted).not.toContain(clear)
        for (const kind of Object.keys(JSON.parse(granted))) expect(kinds).toContain(kind)
      }),
    )
  })
})

describe('hashedTraitsOf', () => {
  it('gives the hash of every trait the identify call carried that can be normalised', () => {
    const candidates = candidatesOf({
      email: 'jane@example.com',
      phone: '030 1234567',
      lastName: 'Doe',
      country: 'Germany',
    })

    expect(hashedTraitsOf(candidates)).toEqual({ email: sha256('jane@example.com'), lastName: sha256('doe') })
  })

  it('gives nothing for an event without traits', () => {
    expect(hashedTraitsOf(candidatesOf({}))).toEqual({})
  })
})
