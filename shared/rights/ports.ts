import type { Purpose } from '#shared/consent/model.ts'
import type { ExportDocument, RightsState } from './api.ts'

/** Whom a rights request is about: the site and the visitor id it was proven for (token or server key). */
export interface Visitor {
  siteId: string
  anonymousId: string
}

/** The erasure's progress, readable until every vendor is done (issue 10). */
export interface ErasureStatus {
  erasureId: string
  /** ISO 8601 */
  requestedAt: string
  state: 'pending' | 'done' | 'failed'
  vendors: Record<string, { state: 'pending' | 'done' | 'failed' | 'no-deletion-api'; detail?: string }>
}

/**
 * What the `/v1/privacy/*` routes call once the caller is proven to act for the visitor. Each part is
 * built by its own module in shared/rights/ and composed in functions/consent/compose.ts.
 */
export interface VisitorRights {
  export(visitor: Visitor): Promise<ExportDocument>
  restrict(visitor: Visitor, restricted: boolean): Promise<RightsState>
  object(visitor: Visitor, purposes: Partial<Record<Purpose, boolean>>): Promise<RightsState>
  rectify(visitor: Visitor, traits: Record<string, unknown>): Promise<void>
  erase(visitor: Visitor): Promise<ErasureStatus>
  erasureStatus(visitor: Visitor, erasureId: string): Promise<ErasureStatus | null>
}
