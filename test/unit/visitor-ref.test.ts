import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_VISITOR_REF_LENGTH, visitorFromRef, visitorRef } from '#shared/identity/visitor-ref.ts'

const KEY = 'pseudonym-key-for-tests-0123456789'

describe('visitor reference', () => {
  it('opens to the visitor id it was made for, on its own site only', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), (id) => {
        const ref = visitorRef(KEY, 'shop', id)
        expect(ref.length).toBeLessThanOrEqual(MAX_VISITOR_REF_LENGTH)
        expect(visitorFromRef(KEY, 'shop', ref)).toBe(id)
        expect(visitorFromRef(KEY, 'blog', ref)).toBeUndefined()
        expect(visitorFromRef('another-key-0123456789abcdef', 'shop', ref)).toBeUndefined()
      }),
    )
  })

  it('does not show the visitor id, and two references of one visitor differ', () => {
    const first = visitorRef(KEY, 'shop', 'visitor-42')
    expect(first).not.toContain('visitor-42')
    expect(visitorRef(KEY, 'shop', 'visitor-42')).not.toBe(first)
  })

  it('refuses any changed or made-up reference', () => {
    const ref = visitorRef(KEY, 'shop', 'visitor-42')
    fc.assert(
      // The last character may hold unused bits, so changing it need not change the bytes.
      fc.property(fc.nat({ max: ref.length - 5 }), fc.constantFrom('A', 'b', '_', '-'), (index, char) => {
        const at = 3 + index
        fc.pre(ref[at] !== char)
        const changed = ref.slice(0, at) + char + ref.slice(at + 1)
        expect(visitorFromRef(KEY, 'shop', changed)).toBeUndefined()
      }),
    )
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => visitorFromRef(KEY, 'shop', junk) === undefined),
    )
  })
})
