import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { buildSync } from 'esbuild'
import { tagVersion } from '#shared/tag/script.ts'

/** The tag's budget (issue 11): what a page pays for tagwarden, gzip-compressed as served. */
export const TAG_GZIP_BUDGET_BYTES = 1536

export const TAG_ENTRY = fileURLToPath(new URL('./src/tag.ts', import.meta.url))

/** Browsers the tag runs in: everything since 2020 (optional chaining, fetch keepalive, sendBeacon). */
export const TAG_TARGET = 'es2020'

export interface BuiltTag {
  /** The minified IIFE, as `/tag.js` serves it. */
  code: string
  /** Short content hash: the `{version}` of `/tag/{version}/tag.js`. */
  version: string
  gzipBytes: number
}

/**
 * Builds the tag in memory (synchronously: the CDK app, which cannot wait, embeds it in the collector);
 * the collector serves exactly these bytes.
 */
export function buildTag(): BuiltTag {
  const result = buildSync({
    entryPoints: [TAG_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: TAG_TARGET,
    minify: true,
    legalComments: 'none',
    // Strict mode changes nothing this code does; the directive would cost bytes of the budget.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.text ?? ''
  return { code, version: tagVersion(code), gzipBytes: gzipSync(code, { level: 9 }).byteLength }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const tag = buildTag()
  process.stdout.write(tag.code)
  process.stderr.write(`\ntag ${tag.version}: ${tag.code.length} bytes, ${tag.gzipBytes} bytes gzip\n`)
}
