import type { IngestRoute } from './parse.ts'

/**
 * Segment-compatible ingestion paths and what each takes. analytics.js (analytics-next) posts single
 * events to the one-letter forms and batches to `/v1/b`; analytics-node and RudderStack use the long ones.
 * Plain data, so the CDK app can declare exactly these routes.
 */
export const INGEST_ROUTES = {
  '/v1/batch': 'batch',
  '/v1/b': 'batch',
  '/v1/track': 'track',
  '/v1/t': 'track',
  '/v1/page': 'page',
  '/v1/p': 'page',
  '/v1/identify': 'identify',
  '/v1/i': 'identify',
} as const satisfies Record<string, IngestRoute>

export type IngestPath = keyof typeof INGEST_ROUTES

export const PIXEL_PATH = '/p.gif'

export function ingestRouteOf(path: string): IngestRoute | undefined {
  return Object.hasOwn(INGEST_ROUTES, path) ? INGEST_ROUTES[path as IngestPath] : undefined
}
