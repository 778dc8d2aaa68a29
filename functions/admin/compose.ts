import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { dynamoAdminStore, type TransactWrite } from '#shared/adapters/dynamodb-admin-store.ts'
import { dynamoErasureStore } from '#shared/adapters/dynamodb-erasure-store.ts'
import { dynamoPrivacyRequests } from '#shared/adapters/dynamodb-privacy-requests.ts'
import type { Redriver, VendorStatusSource } from '#shared/admin/ports.ts'
import type { AdminPrivacy, AdminVisitorRights } from '#shared/admin/privacy-ports.ts'
import type { DeploymentConfig } from '#shared/config/deployment-schema.ts'
import { consentKey } from '#shared/privacy/pseudonym.ts'
import { VENDOR_SETTINGS_MAX_AGE_MS } from '#shared/vendors/settings-store.ts'
import type { AdminHandlerDeps } from './handler.ts'

export interface AdminParts {
  config: DeploymentConfig
  dynamo: DynamoDBDocumentClient
  configTable: string
  status: VendorStatusSource
  redriver: Redriver
  /** Where the server has no TransactWriteItems (dynalite, locally): the stand-in from local/. */
  transactWrite?: TransactWrite
  report?: (error: unknown) => void
  /** The settings cache window collect and deliver run with, stated in every answer (default 30 s). */
  settingsMaxAgeMs?: number
  /** The visitor rights the privacy routes run (built as the consent function's); absent: 501. */
  rights?: AdminRightsParts
}

export interface AdminRightsParts {
  rights: AdminVisitorRights
  consentTable: string
  pseudonymKey: string
}

function adminPrivacy(parts: AdminParts, rights: AdminRightsParts): AdminPrivacy {
  const erasures = dynamoErasureStore(parts.dynamo, rights.consentTable)
  return {
    rights: rights.rights,
    erasureStatus: async (erasureId) => (await erasures.read(erasureId, new Date()))?.status ?? null,
    consentKey: (visitor) => consentKey(rights.pseudonymKey, visitor.siteId, visitor.anonymousId),
    requests: dynamoPrivacyRequests(parts.dynamo, parts.configTable),
    siteIds: parts.config.sites.map((site) => site.id),
  }
}

/** The admin API's dependencies, composed the same way in Lambda (functions/admin.ts) and locally. */
export function composeAdmin(parts: AdminParts): AdminHandlerDeps {
  return {
    store: dynamoAdminStore(
      parts.dynamo,
      parts.configTable,
      parts.transactWrite ? { transactWrite: parts.transactWrite } : {},
    ),
    status: parts.status,
    redriver: parts.redriver,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    production: parts.config.production,
    auditDays: parts.config.retention.auditDays,
    takesEffectWithinSeconds: Math.ceil((parts.settingsMaxAgeMs ?? VENDOR_SETTINGS_MAX_AGE_MS) / 1000),
    ...(parts.report ? { report: parts.report } : {}),
    ...(parts.rights ? { privacy: adminPrivacy(parts, parts.rights) } : {}),
  }
}
