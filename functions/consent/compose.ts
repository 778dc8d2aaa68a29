import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoErasureStore } from '#shared/adapters/dynamodb-erasure-store.ts'
import { dynamoPolicyVersions } from '#shared/adapters/dynamodb-policy-versions.ts'
import { dynamoRightsStore } from '#shared/adapters/dynamodb-rights-store.ts'
import { dynamoTraitStore } from '#shared/adapters/dynamodb-trait-store.ts'
import { dynamoVisitorItems } from '#shared/adapters/dynamodb-visitor-items.ts'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import type { QueueDispatch } from '#shared/delivery/message.ts'
import { type VisitorErasure, visitorErasure } from '#shared/rights/erasure.ts'
import { visitorExport } from '#shared/rights/export.ts'
import type { VisitorRights } from '#shared/rights/ports.ts'
import { visitorRightsState } from '#shared/rights/state.ts'
import type { ConsentHandlerDeps } from './handler.ts'

export interface ConsentParts {
  config: DeploymentConfig
  dynamo: DynamoDBDocumentClient
  consentTable: string
  /** Holds the published policy versions (privacy §11). */
  configTable: string
  pseudonymKey: string
  report?: ConsentHandlerDeps['report']
  /** Where erase requests go, one per vendor queue (the visitor-rights routes need it). */
  dispatch?: QueueDispatch
}

/** The consent API's dependencies, composed the same way in Lambda (functions/consent.ts) and locally. */
export function composeConsent(parts: ConsentParts): ConsentHandlerDeps {
  const rights = parts.dispatch ? visitorRights(parts, parts.dispatch) : undefined
  return {
    config: parts.config,
    store: dynamoConsentStore(parts.dynamo, parts.consentTable),
    traits: dynamoTraitStore(parts.dynamo, parts.consentTable),
    pseudonymKey: parts.pseudonymKey,
    policyVersion: parts.config.policyVersion,
    policyVersions: dynamoPolicyVersions(parts.dynamo, parts.configTable, {
      ...(parts.report ? { onError: parts.report } : {}),
    }),
    retentionDays: parts.config.retention.consentDays,
    now: () => new Date(),
    newReceiptId: () => crypto.randomUUID(),
    ...(parts.report ? { report: parts.report } : {}),
    ...(rights ? { rights } : {}),
  }
}

/** What the visitor rights are built from: the consent function's parts, or the admin's (issue 10). */
export type VisitorRightsParts = Pick<ConsentParts, 'config' | 'dynamo' | 'consentTable' | 'pseudonymKey'>

/**
 * Export, restriction, objection, rectification and erasure, on the consent table (issue 10); the
 * consent function's routes and the admin's privacy requests both run these.
 */
export function visitorRights(
  parts: VisitorRightsParts,
  dispatch: QueueDispatch,
): VisitorRights & VisitorErasure {
  const { dynamo, consentTable, pseudonymKey } = parts
  const now = () => new Date()
  const rightsStore = dynamoRightsStore(dynamo, consentTable)
  return {
    ...visitorExport({
      items: dynamoVisitorItems(dynamo, consentTable),
      rights: rightsStore,
      pseudonymKey,
      now,
    }),
    ...visitorRightsState({
      pseudonymKey,
      stores: {
        rights: rightsStore,
        consent: dynamoConsentStore(dynamo, consentTable),
        traits: dynamoTraitStore(dynamo, consentTable),
      },
      now,
      retentionDays: parts.config.retention.consentDays,
    }),
    ...visitorErasure({ store: dynamoErasureStore(dynamo, consentTable), dispatch, pseudonymKey, now }),
  }
}
