import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoPolicyVersions } from '#shared/adapters/dynamodb-policy-versions.ts'
import { dynamoTraitStore } from '#shared/adapters/dynamodb-trait-store.ts'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import type { ConsentHandlerDeps } from './handler.ts'

export interface ConsentParts {
  config: DeploymentConfig
  dynamo: DynamoDBDocumentClient
  consentTable: string
  /** Holds the published policy versions (privacy §11). */
  configTable: string
  pseudonymKey: string
  report?: ConsentHandlerDeps['report']
  /** The visitors' rights (built by shared/rights/*); absent, `/v1/privacy/*` answers 501. */
  rights?: ConsentHandlerDeps['rights']
}

/** The consent API's dependencies, composed the same way in Lambda (functions/consent.ts) and locally. */
export function composeConsent(parts: ConsentParts): ConsentHandlerDeps {
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
    ...(parts.rights ? { rights: parts.rights } : {}),
  }
}
