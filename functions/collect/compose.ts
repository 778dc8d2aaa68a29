import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoErasureStore } from '#shared/adapters/dynamodb-erasure-store.ts'
import { dynamoIdempotencyStore } from '#shared/adapters/dynamodb-idempotency-store.ts'
import { dynamoPolicyVersions } from '#shared/adapters/dynamodb-policy-versions.ts'
import { dynamoRightsStore } from '#shared/adapters/dynamodb-rights-store.ts'
import { dynamoSessionStore } from '#shared/adapters/dynamodb-session-store.ts'
import { dynamoTraitStore } from '#shared/adapters/dynamodb-trait-store.ts'
import { dynamoVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import type { Dispatch } from '#shared/delivery/message.ts'
import { coverageReader } from '#shared/policy/reader.ts'
import type { CalendlySigningKeys } from '#shared/sources/calendly/signing-keys.ts'
import type { TagScript } from '#shared/tag/script.ts'
import type { CollectHandlerDeps } from './handler.ts'

export interface CollectParts {
  config: DeploymentConfig
  dynamo: DynamoDBDocumentClient
  tables: { consent: string; config: string; idempotency: string }
  dispatch: Dispatch
  pseudonymKey: string
  trustProxy: boolean
  /** How long a read of vendor settings and policy versions serves (≤ 30 s; default 30 s). */
  settingsMaxAgeMs?: number
  /** Each site's Calendly signing key (the JSON secret `{siteId: key}`); absent: Calendly webhooks get 404. */
  calendlySigningKeys?: CalendlySigningKeys
  /** The built first-party tag (`/tag.js`); absent: not served. */
  tag?: TagScript
  /** Where the collector's decisions, errors and refused pixels go (logs and metrics; locally the outbox). */
  report: Pick<CollectHandlerDeps, 'onDecision' | 'reportError' | 'reportPixelRefusal'>
}

/** The collector's dependencies, composed the same way in Lambda (functions/collect.ts) and locally. */
export function composeCollect(parts: CollectParts): CollectHandlerDeps {
  const { dynamo, tables, report } = parts
  const cache = {
    onError: report.reportError,
    ...(parts.settingsMaxAgeMs !== undefined ? { maxAgeMs: parts.settingsMaxAgeMs } : {}),
  }
  return {
    config: parts.config,
    vendorSettings: dynamoVendorSettings(dynamo, tables.config, cache),
    consent: dynamoConsentStore(dynamo, tables.consent),
    erasures: dynamoErasureStore(dynamo, tables.consent),
    policyCoverage: coverageReader(
      dynamoPolicyVersions(dynamo, tables.config, cache),
      parts.config.policyVersion,
    ),
    traits: dynamoTraitStore(dynamo, tables.consent),
    rights: dynamoRightsStore(dynamo, tables.consent),
    sessions: dynamoSessionStore(dynamo, tables.consent),
    idempotency: dynamoIdempotencyStore(dynamo, tables.idempotency),
    dispatch: parts.dispatch,
    pseudonymKey: parts.pseudonymKey,
    trustProxy: parts.trustProxy,
    now: () => new Date(),
    ...(parts.calendlySigningKeys ? { calendlySigningKeys: parts.calendlySigningKeys } : {}),
    ...(parts.tag ? { tag: parts.tag } : {}),
    ...report,
  }
}
