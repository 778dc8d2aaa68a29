import { describe, expect, it } from 'vitest'
import { parseConfig } from '#shared/config/load.ts'
import { resolveCaller } from '#shared/config/sites.ts'

const SERVER_KEY = 'shop-server-key-0123456789abcdef'
const site = { id: 'shop', writeKeys: ['shop-write-key'], allowedOrigins: ['https://shop.example'] }
const config = parseConfig({ sites: [{ ...site, serverKeys: [SERVER_KEY] }] })
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`

describe('server keys', () => {
  it('default to none, and are at least 24 characters', () => {
    expect(parseConfig({ sites: [site] }).sites[0]?.serverKeys).toEqual([])
    expect(() => parseConfig({ sites: [{ ...site, serverKeys: ['too-short'] }] })).toThrow(/serverKeys/)
  })

  it('make the backend the caller, by Bearer or by Basic with the key as user name', () => {
    for (const authorization of [`Bearer ${SERVER_KEY}`, basic(SERVER_KEY)])
      expect(resolveCaller(config, { authorization, origin: undefined })).toMatchObject({ kind: 'server' })
  })

  it('are refused with an Origin, and never taken from a body or query write key', () => {
    expect(() =>
      resolveCaller(config, { authorization: `Bearer ${SERVER_KEY}`, origin: 'https://shop.example' }),
    ).toThrow(expect.objectContaining({ statusCode: 403, field: 'authorization' }))
    expect(() =>
      resolveCaller(config, { authorization: undefined, origin: undefined, writeKey: SERVER_KEY }),
    ).toThrow(expect.objectContaining({ statusCode: 401 }))
  })

  it('leave the public write key a browser caller, origin-checked as before', () => {
    expect(
      resolveCaller(config, { authorization: basic('shop-write-key'), origin: 'https://shop.example' }),
    ).toMatchObject({ kind: 'browser', site: { id: 'shop' } })
    expect(() =>
      resolveCaller(config, { authorization: basic('shop-write-key'), origin: 'https://evil.example' }),
    ).toThrow(expect.objectContaining({ statusCode: 403, field: 'origin' }))
    expect(() =>
      resolveCaller(config, { authorization: 'Bearer shop-write-key', origin: undefined }),
    ).toThrow(expect.objectContaining({ statusCode: 401 }))
  })
})
