import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ESM_REQUIRE_BANNER } from '../../infra/bundling.ts'
import type { TagwardenFunction } from '../../infra/constructs/tagwarden-function.ts'
import { exampleConfig, resourceOf, synthesize } from './synth.ts'

// Real esbuild bundling of every function, as `npx cdk synth` does it.
const { stack, template, outdir } = synthesize(exampleConfig(), { bundle: true })
const ga4 = stack.deliveries.get('ga4')
if (!ga4) throw new Error('the example configuration deploys no ga4 delivery')

const codeSchema = z.object({
  Properties: z.object({ Code: z.object({ S3Key: z.string().regex(/^[0-9a-f]{64}\.zip$/) }) }),
})

function bundleOf(fn: TagwardenFunction): string {
  const key = codeSchema.parse(resourceOf(template, fn.function)).Properties.Code.S3Key
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs')
}

describe.each([
  ['collect', stack.collect],
  ['consent', stack.consent],
  ['ga4 deliver', ga4.deliverer],
  ['admin', stack.admin],
])('the %s bundle', (_name, fn) => {
  const bundle = readFileSync(bundleOf(fn), 'utf8')

  it('is an ES module exporting the handler', () => {
    expect(bundleOf(fn)).toMatch(/\.mjs$/)
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/)
  })

  it('starts with the createRequire banner that bundled CommonJS code needs', () => {
    expect(bundle.startsWith(ESM_REQUIRE_BANNER)).toBe(true)
  })

  it('bundles its dependencies, the AWS SDK included, instead of importing them at run time', () => {
    expect(bundle).not.toMatch(/\bfrom\s*["'](@aws-sdk|@aws-lambda-powertools|@middy|zod)/)
  })

  it('ships a source map', () => {
    expect(existsSync(`${bundleOf(fn)}.map`)).toBe(true)
  })
})
