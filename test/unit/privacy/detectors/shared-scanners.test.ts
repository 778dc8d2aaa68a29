import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { piiScanner, piiScanners } from '#shared/privacy/pii-scanner.ts'
import { cardWritten, emailAddress, ibanWritten, phoneNumber, prose } from './generators.ts'

const VISITORS = ['visitor-alpha-1', 'visitor-bravo-2', 'Visitor-Charlie-3'] as const
const TOKEN_ONLY = new Set(['token'] as const)

/** A visitor's id as a page may carry it: plain, in another case, or percent-encoded once or twice. */
const writtenId = fc
  .tuple(fc.constantFrom(...VISITORS), fc.constantFrom('plain', 'upper', 'encoded', 'twice'))
  .map(([id, how]) => {
    if (how === 'upper') return id.toUpperCase()
    if (how === 'encoded') return [...id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')
    if (how === 'twice') return [...id].map((c) => `%25${c.charCodeAt(0).toString(16)}`).join('')
    return id
  })

const text = fc
  .array(fc.oneof(prose, writtenId, emailAddress, phoneNumber, cardWritten, ibanWritten), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => parts.join(' '))

describe('scanners of one request share what does not depend on the visitor', () => {
  it('find for each visitor exactly what a scanner of that visitor alone finds, in any order of visitors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...VISITORS), text, fc.boolean()), { minLength: 1, maxLength: 5 }),
        (scans) => {
          const shared = piiScanners()
          for (const [visitor, scanned, ignoreTokens] of scans) {
            const ignoring = ignoreTokens ? TOKEN_ONLY : undefined
            const alone = piiScanner([visitor, undefined]).scan(scanned, ignoring)
            expect(shared.forVisitor([visitor, undefined]).scan(scanned, ignoring)).toEqual(alone)
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  it("report another visitor's id hidden in a text that an earlier visitor's scan found clean", () => {
    const shared = piiScanners()
    const page = `/welcome/${[...VISITORS[1]].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`
    expect(shared.forVisitor([VISITORS[0], undefined]).scan(page).hidden).toEqual([])
    expect(shared.forVisitor([VISITORS[1], undefined]).scan(page).hidden).toContain('visitor-id')
  })
})
