import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { tagVersion } from '#shared/tag/script.ts'
import { buildTag, TAG_GZIP_BUDGET_BYTES } from '../../../tag/build.ts'

describe('the built tag', () => {
  it('stays within its gzip budget of 1.5 KB', async () => {
    const tag = buildTag()
    expect(gzipSync(tag.code, { level: 9 }).byteLength).toBe(tag.gzipBytes)
    expect(tag.gzipBytes).toBeLessThanOrEqual(TAG_GZIP_BUDGET_BYTES)
  })

  it('is versioned by its content: the same build gives the same version, other bytes another', async () => {
    const [first, second] = [buildTag(), buildTag()]
    expect(second.version).toBe(first.version)
    expect(first.version).toMatch(/^[\w-]{12}$/)
    expect(tagVersion(`${first.code};`)).not.toBe(first.version)
  })
})
