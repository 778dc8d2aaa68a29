import { Logger } from '@aws-lambda-powertools/logger'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { PSEUDONYM_SECRET, secretFromEnvironment } from '#shared/adapters/secrets.ts'
import { deploymentConfigFromEnvironment, ENV, requireEnv } from '#shared/config/environment.ts'
import { composeConsent } from './consent/compose.ts'
import { createConsentHandler } from './consent/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-consent' })

export const handler = createConsentHandler(
  composeConsent({
    config: deploymentConfigFromEnvironment(),
    dynamo: documentClient(),
    consentTable: requireEnv(ENV.consentTable),
    configTable: requireEnv(ENV.configTable),
    pseudonymKey: await secretFromEnvironment(PSEUDONYM_SECRET),
    // The error only: the request event holds the raw client IP and must never be logged.
    report: (error) => logger.error('consent request failed', { error }),
  }),
)
