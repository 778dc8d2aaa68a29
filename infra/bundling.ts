import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { buildTag } from '../tag/build.ts'

/**
 * How every function is bundled, in one place so the CDK construct and the bundle benchmark build
 * exactly the same artefact. No CDK import, so the benchmark and tests stay light.
 */

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The Lambda entry files; one deployment each (deliver once per vendor). */
export const FUNCTION_ENTRIES = {
  collect: fileURLToPath(new URL('../functions/collect.ts', import.meta.url)),
  consent: fileURLToPath(new URL('../functions/consent.ts', import.meta.url)),
  deliver: fileURLToPath(new URL('../functions/deliver.ts', import.meta.url)),
  admin: fileURLToPath(new URL('../functions/admin.ts', import.meta.url)),
} as const

export type FunctionName = keyof typeof FUNCTION_ENTRIES

/** esbuild target matching the Lambda runtime chosen in tagwarden-function.ts (nodejs24.x). */
export const NODE_TARGET = 'node24'

/**
 * ESM bundles have no `require`; CommonJS dependencies bundled into them (parts of the AWS SDK's
 * dependency tree) still call it, and the first invocation would fail without this shim.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);"

/** Prefer the ESM builds of dependencies so esbuild can tree-shake them. */
export const MAIN_FIELDS = ['module', 'main']

/**
 * The AWS SDK is bundled, not taken from the runtime: it pins the version we test against, and one
 * file imports faster than the SDK's many modules. Measured with `@aws-sdk/*` and `@smithy/*`
 * external: bundles about 40% smaller, cold import 50-130 ms slower per function.
 */
export const EXTERNAL_MODULES: string[] = []

/**
 * Stack traces in the logs point at the TypeScript sources. Measured cost on the cold import of these
 * bundles: within run-to-run noise to about 15 ms (`npm run bench`).
 */
export const NODE_OPTIONS = '--enable-source-maps'

/**
 * Values the bundler writes into a function's code: the collector carries the built first-party tag
 * (`TAGWARDEN_TAG_JS`, a JSON string literal), so it serves `/tag.js` without reading a file.
 */
export function functionDefines(name: FunctionName): Record<string, string> {
  return name === 'collect' ? { TAGWARDEN_TAG_JS: JSON.stringify(buildTag().code) } : {}
}

/**
 * Builds one function exactly as infra/constructs/tagwarden-function.ts has CDK build it, for the
 * bundle benchmark and the tests that run the real artefacts. Returns the path of `index.mjs`.
 */
export async function bundleFunction(name: FunctionName, outdir: string): Promise<string> {
  return bundleEntry(FUNCTION_ENTRIES[name], join(outdir, name), functionDefines(name))
}

/** Bundles any entry file the way the functions are bundled (the benchmark's floor handler, too). */
export async function bundleEntry(
  entry: string,
  outdir: string,
  define: Record<string, string> = {},
): Promise<string> {
  const outfile = join(outdir, 'index.mjs')
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    external: EXTERNAL_MODULES,
    define,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent',
  })
  return outfile
}
