import { inspect } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type IncomingEvent, validateEvent } from '#shared/events/schema.ts'
import { extractIdentity, type IdentitySources } from '#shared/identity/extract.ts'

const RECEIVED_AT = new Date('2026-12-03T10:00:00.000Z')
const FBP = 'fb.1.1596403881668.1116446470'
const FBC = 'fb.1.1554763741205.AbCdEf_123-xyz'
const LI_FAT_ID = '0f6c5a3e-9f7b-4b1a-8c2d-1e2f3a4b5c6d'
const UTK = '9b1f4c3e2a5d6f7081929a3b4c5d6e7f'
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

function event(raw: Record<string, unknown>): IncomingEvent {
  const result = validateEvent({ type: 'identify', anonymousId: 'visitor-1', ...raw })
  if (!result.ok) throw new Error(`fixture is not a valid event: ${result.message}`)
  return result.event
}

function sources(overrides: Partial<IdentitySources> = {}): IdentitySources {
  return { event: event({}), cookies: undefined, userAgent: undefined, receivedAt: RECEIVED_AT, ...overrides }
}

describe('extractIdentity: traits', () => {
  it('takes the allow-listed identify traits in their Segment spellings, and nothing else', () => {
    const candidates = extractIdentity(
      sources({
        event: event({
          traits: {
            email: 'Jane@Example.com',
            phone: '+49 151 12345678',
            first_name: 'Jane',
            lastName: 'Doe',
            address: { city: 'Berlin', postalCode: '10115', country: 'DE', street: 'Unter den Linden 1' },
            birthday: '1990-01-01',
            company: 'ACME',
          },
        }),
      }),
    )

    expect(candidates.traits).toEqual({
      email: 'Jane@Example.com',
      phone: '+49 151 12345678',
      firstName: 'Jane',
      lastName: 'Doe',
      city: 'Berlin',
      postcode: '10115',
      country: 'DE',
    })
  })

  it('reads flat city, zip and country, and numeric phone and zip', () => {
    const candidates = extractIdentity(
      sources({ event: event({ traits: { city: 'Paris', zip: 75001, country: 'fr', phone: 33612345678 } }) }),
    )

    expect(candidates.traits).toEqual({
      city: 'Paris',
      postcode: '75001',
      country: 'fr',
      phone: '33612345678',
    })
  })

  it('prefers address fields, and falls back to the next spelling when one is unusable', () => {
    const candidates = extractIdentity(
      sources({
        event: event({
          traits: {
            address: { city: 'Lyon', postalCode: '' },
            city: 'Paris',
            postalCode: '75001',
            firstName: 42,
            first_name: 'Ann',
          },
        }),
      }),
    )

    expect(candidates.traits).toEqual({ city: 'Lyon', postcode: '75001', firstName: 'Ann' })
  })

  it('ignores oversized, empty and non-string traits', () => {
    const candidates = extractIdentity(
      sources({
        event: event({
          traits: { email: `${'a'.repeat(300)}@x.com`, lastName: '  ', firstName: ['Jane'], phone: 1.5 },
        }),
      }),
    )

    expect(candidates.traits).toEqual({})
  })
})

describe('extractIdentity: vendor ids and user agent', () => {
  it('takes the allow-listed cookies that pass their format checks', () => {
    const candidates = extractIdentity(
      sources({
        cookies: [`_fbp=${FBP}`, `_fbc=${FBC}`, `li_fat_id=${LI_FAT_ID}`, `hubspotutk=${UTK}`, 'sid=secret'],
      }),
    )

    expect(candidates).toEqual({ traits: {}, fbp: FBP, fbc: FBC, liFatId: LI_FAT_ID, hubspotutk: UTK })
  })

  it('reads a raw Cookie header when there is no cookies array', () => {
    const candidates = extractIdentity(sources({ cookieHeader: `_fbp=${FBP}; hubspotutk=${UTK}` }))

    expect(candidates).toEqual({ traits: {}, fbp: FBP, hubspotutk: UTK })
  })

  it('drops ids that fail their format checks', () => {
    const candidates = extractIdentity(
      sources({ cookies: ['_fbp=fb.1.123.456', '_fbc=garbage', 'li_fat_id=abc', 'hubspotutk=xyz'] }),
    )

    expect(candidates).toEqual({ traits: {} })
  })

  it('builds _fbc from fbclid in the raw page URL when there is no valid _fbc cookie', () => {
    const page = { url: 'https://shop.example/landing?utm_source=fb&fbclid=IwAR2F4-dbP0l7_Mn1' }
    const candidates = extractIdentity(
      sources({ event: event({ context: { page } }), cookies: ['_fbc=bad'] }),
    )

    expect(candidates.fbc).toBe(`fb.1.${RECEIVED_AT.getTime()}.IwAR2F4-dbP0l7_Mn1`)
  })

  it('keeps a valid _fbc cookie over the fbclid in the URL', () => {
    const page = { url: 'https://shop.example/?fbclid=NewClick' }
    const candidates = extractIdentity(
      sources({ event: event({ context: { page } }), cookies: [`_fbc=${FBC}`] }),
    )

    expect(candidates.fbc).toBe(FBC)
  })

  it('takes li_fat_id from the landing URL before the cookie', () => {
    const fromUrl = '11111111-2222-4333-8444-555555555555'
    const page = { url: `https://shop.example/?li_fat_id=${fromUrl}` }
    const candidates = extractIdentity(
      sources({ event: event({ context: { page } }), cookies: [`li_fat_id=${LI_FAT_ID}`] }),
    )

    expect(candidates.liFatId).toBe(fromUrl)
  })

  it('finds page URL parameters on a page event that carries its URL in properties', () => {
    const raw = { type: 'page', properties: { url: 'https://shop.example/?fbclid=Abc123' } }
    const candidates = extractIdentity(sources({ event: event(raw) }))

    expect(candidates.fbc).toBe(`fb.1.${RECEIVED_AT.getTime()}.Abc123`)
  })

  it('takes the full user agent from the header, never an oversized or control-laden one', () => {
    expect(extractIdentity(sources({ userAgent: CHROME })).userAgent).toBe(CHROME)
    expect(extractIdentity(sources({ userAgent: 'a'.repeat(1025) })).userAgent).toBeUndefined()
    expect(extractIdentity(sources({ userAgent: 'Mozilla\u0000/5.0' })).userAgent).toBeUndefined()
    expect(extractIdentity(sources({ userAgent: '' })).userAgent).toBeUndefined()
  })
})

describe('extractIdentity: never leaves the collector', () => {
  const candidates = extractIdentity(
    sources({ event: event({ traits: { email: 'jane@example.com', lastName: 'Doe' } }), userAgent: CHROME }),
  )

  it('serialises to nothing of its values, whole or in part', () => {
    expect(JSON.stringify({ candidates })).not.toContain('jane')
    expect(JSON.stringify(candidates.traits)).not.toContain('jane')
    expect(inspect(candidates, { depth: 5 })).not.toContain('jane')
    expect(inspect(candidates.traits)).not.toContain('Doe')
  })

  it('cannot be changed after extraction', () => {
    expect(Object.isFrozen(candidates)).toBe(true)
    expect(Object.isFrozen(candidates.traits)).toBe(true)
  })

  it('holds nothing outside the allow-list whatever the input', () => {
    const allowedKeys = new Set(['traits', 'userAgent', 'fbp', 'fbc', 'liFatId', 'hubspotutk'])
    const allowedTraits = new Set(['email', 'phone', 'firstName', 'lastName', 'city', 'postcode', 'country'])
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer())),
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 10 }),
        (traits, cookies) => {
          const found = extractIdentity(sources({ event: event({ traits }), cookies }))
          for (const key of Object.keys(found)) expect(allowedKeys).toContain(key)
          for (const key of Object.keys(found.traits)) expect(allowedTraits).toContain(key)
        },
      ),
    )
  })
})
