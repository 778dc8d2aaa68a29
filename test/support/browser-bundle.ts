import { build } from 'esbuild'

/**
 * Bundles an npm entry for the browser the way a site's build would (one IIFE file exposing `globalName`),
 * so the page loads nothing but this file: lazily imported chunks are inlined instead of fetched from a CDN.
 */
export async function bundleForBrowser(entrySource: string, globalName: string): Promise<string> {
  const result = await build({
    stdin: { contents: entrySource, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  })
  const [output] = result.outputFiles
  if (!output) throw new Error(`esbuild produced no output for ${globalName}`)
  return output.text
}
