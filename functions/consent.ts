import { Logger } from '@aws-lambda-powertools/logger'
import { SQSClient } from '@aws-sdk/client-sqs'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { PSEUDONYM_SECRET, secretFromEnvironment } from '#shared/adapters/secrets.ts'
import { sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import {
  deploymentConfigFromEnvironment,
  ENV,
  queueUrlVariable,
  requireEnv,
} from '#shared/config/environment.ts'
import { VENDOR_ID_LIST } from '#shared/vendors/ids.ts'
import { composeConsent } from './consent/compose.ts'
import { createConsentHandler } from './consent/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-consent' })
// Erase requests go on every vendor's queue (never a vendor's code in this bundle: plain ids only).
const queueUrls = Object.fromEntries(
  VENDOR_ID_LIST.flatMap((vendor) => {
    const url = process.env[queueUrlVariable(vendor)]
    return url ? [[vendor, url]] : []
  }),
)

export const handler = createConsentHandler(
  composeConsent({
    config: deploymentConfigFromEnvironment(),
    dynamo: documentClient(),
    consentTable: requireEnv(ENV.consentTable),
    configTable: requireEnv(ENV.configTable),
    pseudonymKey: await secretFromEnvironment(PSEUDONYM_SECRET),
    dispatch: sqsDispatch(new SQSClient({}), queueUrls),
    // The error only: the request event holds the raw client IP and must never be logged.
    report: (error) => logger.error('consent request failed', { error }),
  }),
)
