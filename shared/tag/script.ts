import { createHash } from 'node:crypto'
import { VERSIONED_TAG_PATH } from './api.ts'

/** `/tag.js`: short-cached, so a new tag reaches every site within minutes. */
export const TAG_CACHE_CONTROL = 'public, max-age=300'
/** `/tag/{version}/tag.js`: the version is the content's hash, so those bytes never change. */
export const VERSIONED_TAG_CACHE_CONTROL = 'public, max-age=31536000, immutable'
export const TAG_CONTENT_TYPE = 'application/javascript; charset=utf-8'

/** The built tag as the collector serves it. */
export interface TagScript {
  code: string
  /** The short content hash of `code`: the `{version}` of VERSIONED_TAG_PATH. */
  version: string
  /** A strong ETag derived from the version. */
  etag: string
}

/** Twelve base64url characters of SHA-256 (72 bits): a content address no two builds share by chance. */
export function tagVersion(code: string): string {
  return createHash('sha256').update(code).digest('base64url').slice(0, 12)
}

export function tagScript(code: string): TagScript {
  const version = tagVersion(code)
  return { code, version, etag: `"${version}"` }
}

/** `/tag/{version}/tag.js` of one build: the long-cached path. */
export function versionedTagPath(version: string): string {
  return VERSIONED_TAG_PATH.replace('{version}', version)
}
