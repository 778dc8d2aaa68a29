import { randomUUID } from 'node:crypto'
import { Logger } from '@aws-lambda-powertools/logger'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { PSEUDONYM_SECRET, secretFromEnvironment } from '#shared/adapters/secrets.ts'
import { configFromEnvironment, requireEnv } from '#shared/config/load.ts'
import { createConsentHandler } from './consent/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-consent' })
const config = configFromEnvironment()

export const handler = createConsentHandler({
  config,
  store: dynamoConsentStore(documentClient(), requireEnv('CONSENT_TABLE_NAME')),
  pseudonymKey: await secretFromEnvironment(PSEUDONYM_SECRET),
  policyVersion: config.policyVersion,
  retentionDays: config.retention.consentDays,
  now: () => new Date(),
  newReceiptId: randomUUID,
  // The error only: the request event holds the raw client IP and must never be logged.
  report: (error) => logger.error('consent request failed', { error }),
})
