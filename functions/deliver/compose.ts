import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoDeliveryLedger } from '#shared/adapters/dynamodb-delivery-ledger.ts'
import { dynamoErasureStore } from '#shared/adapters/dynamodb-erasure-store.ts'
import { dynamoPolicyVersions } from '#shared/adapters/dynamodb-policy-versions.ts'
import { dynamoRightsStore } from '#shared/adapters/dynamodb-rights-store.ts'
import { dynamoVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import type { LastDeliveryStore } from '#shared/admin/ports.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import type { DeliverDeps, DeliveryBinding, OutcomeReport } from '#shared/delivery/deliver.ts'
import type { HttpSender } from '#shared/delivery/http.ts'
import {
  failedBatch,
  type LastDeliveryRecorder,
  lastDeliveryRecorder,
  summariseBatch,
} from '#shared/delivery/last-delivery.ts'
import type { DeadLetters } from '#shared/delivery/message.ts'
import type { Redelivery } from '#shared/delivery/redelivery.ts'
import { coverageReader } from '#shared/policy/reader.ts'
import { ledgerWriter } from '#shared/rights/ledger-writer.ts'
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
  /** Where each batch's summary outcome is left for the admin's status (throttled; a failed write is reported). */
  lastDelivery?: LastDeliveryStore
  /** How long a read of vendor settings and policy versions serves (≤ 30 s; default 30 s). */
  settingsMaxAgeMs?: number
  /** The queue's maxReceiveCount, so an erase request failing on its last receive is failed with its reason. */
  maxReceiveCount?: number
  /** Opens the e-mail sealed in an erase request (vendors that erase by e-mail; see sealed-email.ts). */
  pseudonymKey?: () => Promise<string | undefined>
  /** Where each finished message is entered for the visitor's export (a failed write is reported). */
  ledger?: { table: string; retentionDays: number }
}

/** A deliverer's dependencies, composed the same way in Lambda (functions/deliver.ts) and locally. */
export function composeDeliver(parts: DeliverParts): DeliverDeps<unknown> {
  const cache = {
    onError: parts.reportError,
    ...(parts.settingsMaxAgeMs !== undefined ? { maxAgeMs: parts.settingsMaxAgeMs } : {}),
  }
  const binding = vendorBinding({
    vendor: parts.vendor,
    settings: dynamoVendorSettings(parts.dynamo, parts.tables.config, cache),
    credentials: parts.credentials,
    baseUrl: parts.baseUrl,
    production: parts.production,
    now: () => new Date(),
  })
  const recorder = parts.lastDelivery
    ? lastDeliveryRecorder(parts.vendor.id, parts.lastDelivery, { onError: parts.reportError })
    : undefined
  const consent = dynamoConsentStore(parts.dynamo, parts.tables.consent)
  const ledger = parts.ledger
    ? ledgerWriter({
        ledger: dynamoDeliveryLedger(parts.dynamo, parts.ledger.table, parts.ledger.retentionDays),
        consent,
        reportError: parts.reportError,
      })
    : undefined
  return {
    binding: recorder ? recordingFailure(binding, recorder) : binding,
    consent,
    rights: dynamoRightsStore(parts.dynamo, parts.tables.consent),
    policyCoverage: coverageReader(
      dynamoPolicyVersions(parts.dynamo, parts.tables.config, cache),
      parts.policyVersion,
    ),
    sender: parts.sender,
    deadLetters: parts.deadLetters,
    redelivery: parts.redelivery,
    now: () => new Date(),
    onOutcome: parts.onOutcome,
    erasures: {
      store: dynamoErasureStore(parts.dynamo, parts.tables.consent),
      ...(parts.maxReceiveCount !== undefined ? { maxReceiveCount: parts.maxReceiveCount } : {}),
      ...(parts.pseudonymKey ? { pseudonymKey: parts.pseudonymKey } : {}),
    },
    onBatch: async (reports, messages) => {
      await Promise.all([recorder?.record(summariseBatch(reports, new Date())), ledger?.(reports, messages)])
    },
  }
}

/** A batch whose vendor cannot be bound fails as a whole; the admin sees it as `failed`, with why. */
function recordingFailure(
  binding: () => Promise<DeliveryBinding<unknown>>,
  recorder: LastDeliveryRecorder,
): () => Promise<DeliveryBinding<unknown>> {
  return async () => {
    try {
      return await binding()
    } catch (error) {
      await recorder.record(failedBatch(error, new Date()))
      throw error
    }
  }
}
