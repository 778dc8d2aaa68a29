import { describe, expect, it } from 'vitest'
import { mergeTraits } from '#shared/identity/trait-store.ts'

const hash = (digit: string) => digit.repeat(64)

describe('mergeTraits', () => {
  it('adds new kinds and replaces repeated ones, keeping the rest', () => {
    expect(
      mergeTraits({ email: hash('a'), city: hash('b') }, { email: hash('c'), phone: hash('d') }),
    ).toEqual({
      email: hash('c'),
      city: hash('b'),
      phone: hash('d'),
    })
  })

  it('never removes a kept kind because an update leaves it unset', () => {
    expect(mergeTraits({ email: hash('a') }, { email: undefined })).toEqual({ email: hash('a') })
  })
})
