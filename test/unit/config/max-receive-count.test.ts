import { describe, expect, it } from 'vitest'
import { ENV, maxReceiveCountFromEnvironment } from '#shared/config/environment.ts'
import { ConfigError } from '#shared/config/errors.ts'

describe('the deliverer’s maxReceiveCount from its environment', () => {
  it('is the whole number the stack set', () => {
    expect(maxReceiveCountFromEnvironment({ [ENV.maxReceiveCount]: '7' })).toBe(7)
  })

  it.each([[undefined], ['0'], ['2.5'], ['seven']])('fails at init when it is %s', (value) => {
    const env = value === undefined ? {} : { [ENV.maxReceiveCount]: value }
    expect(() => maxReceiveCountFromEnvironment(env)).toThrow(ConfigError)
  })
})
