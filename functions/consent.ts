import { randomUUID } from 'node:crypto'
import { Logger } from '@aws-lambda-powertools/logger'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoTraitStore } from '#shared/adapters/dynamodb-trait-store.ts'
import { PSEUDONYM_SECRET, secretFromEnvironment } from '#shared/adapters/secrets.ts'
import { ENV } from '#shared/config/environment.ts'
import { configFromEnvironment, requireEnv } from '#shared/config/load.ts'
import { createConsentHandler } from './consent/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-consent' })
const config = configFromEnvironment()
const dynamo = documentClient()

export const handler = createConsentHandler({
  config,
  store: dynamoConsentStore(dynamo, requireEnv(ENV.consentTable)),
  traits: dynamoTraitStore(dynamo, requireEnv(ENV.consentTable)),
  pseudonymKey: await secretFromEnvironment(PSEUDONYM_SECRET),
  policyVersion: config.policyVersion,
  retentionDays: config.retention.consentDays,
  now: () => new Date(),
  newReceiptId: randomUUID,
  // The error only: the request event holds the raw client IP and must never be logged.
  report: (error) => logger.error('consent request failed', { error }),
})
