import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoPolicyVersions } from '#shared/adapters/dynamodb-policy-versions.ts'
import { dynamoVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import type { DeliverDeps, OutcomeReport } from '#shared/delivery/deliver.ts'
import type { HttpSender } from '#shared/delivery/http.ts'
import type { DeadLetters } from '#shared/delivery/message.ts'
import type { Redelivery } from '#shared/delivery/redelivery.ts'
import { coverageReader } from '#shared/policy/reader.ts'
import type { KnownVendor } from '#shared/vendors/index.ts'

export interface DeliverParts {
  vendor: KnownVendor
  dynamo: DynamoDBDocumentClient
  tables: { consent: string; config: string }
  /** The vendor secret's text, re-read per batch from a cache. */
  credentials: () => Promise<string | undefined>
  sender: HttpSender
  deadLetters: DeadLetters
  redelivery: Redelivery
  /** Replaces scheme and host of vendor requests (local runtime only). */
  baseUrl?: string | undefined
  production: boolean
  /** The deployment's policy version: the implicit first one (privacy §11). */
  policyVersion: string
  onOutcome: (report: OutcomeReport) => void
  reportError: (error: unknown) => void
}

/** A deliverer's dependencies, composed the same way in Lambda (functions/deliver.ts) and locally. */
export function composeDeliver(parts: DeliverParts): DeliverDeps<unknown> {
  return {
    binding: vendorBinding({
      vendor: parts.vendor,
      settings: dynamoVendorSettings(parts.dynamo, parts.tables.config, { onError: parts.reportError }),
      credentials: parts.credentials,
      baseUrl: parts.baseUrl,
      production: parts.production,
      now: () => new Date(),
    }),
    consent: dynamoConsentStore(parts.dynamo, parts.tables.consent),
    policyCoverage: coverageReader(
      dynamoPolicyVersions(parts.dynamo, parts.tables.config, { onError: parts.reportError }),
      parts.policyVersion,
    ),
    sender: parts.sender,
    deadLetters: parts.deadLetters,
    redelivery: parts.redelivery,
    now: () => new Date(),
    onOutcome: parts.onOutcome,
  }
}
