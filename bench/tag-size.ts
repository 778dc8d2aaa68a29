import { pathToFileURL } from 'node:url'
import { buildTag, TAG_GZIP_BUDGET_BYTES, TAG_TARGET } from '../tag/build.ts'

/** Prints the tag's size as a page downloads it (gzip), against its budget. */
export async function runTagSizeBench(log: (line: string) => void = console.log): Promise<number> {
  const tag = buildTag()
  log(`First-party tag (esbuild ${TAG_TARGET} IIFE, minified, version ${tag.version})`)
  log(
    `tag.js  ${tag.code.length} bytes, ${tag.gzipBytes} bytes gzip (budget ${TAG_GZIP_BUDGET_BYTES}: ${tag.gzipBytes <= TAG_GZIP_BUDGET_BYTES ? 'within' : 'OVER'})`,
  )
  return tag.gzipBytes
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runTagSizeBench()
}
