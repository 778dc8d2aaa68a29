import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { SQSClient } from '@aws-sdk/client-sqs'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { dynamoVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { secretReader } from '#shared/adapters/secrets.ts'
import { sqsDeadLetters } from '#shared/adapters/sqs-dead-letters.ts'
import { sqsRedelivery } from '#shared/adapters/sqs-redelivery.ts'
import { ENV } from '#shared/config/environment.ts'
import { ConfigError, configFromEnvironment, requireEnv } from '#shared/config/load.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import { vendorById } from '#shared/vendors/index.ts'
import { createDeliverHandler } from './deliver/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-deliver' })
const config = configFromEnvironment()
const vendorId = requireEnv(ENV.vendor)
const vendor = vendorById(vendorId)
if (!vendor) throw new ConfigError(`VENDOR is ${vendorId}; no vendor of that id (shared/vendors/index.ts)`)

const sqs = new SQSClient({})
const dynamo = documentClient()

const logOutcome = ({ outcome, ...details }: OutcomeReport) => {
  if (outcome === 'delivered') logger.debug(outcome, details)
  else if (outcome === 'withheld') logger.info(outcome, details)
  else logger.warn(outcome, details)
}

export const handler = createDeliverHandler({
  // The deployed deliverer always sends to the vendor's own endpoint (a base URL override is local only).
  binding: vendorBinding({
    vendor,
    settings: dynamoVendorSettings(dynamo, requireEnv(ENV.configTable), {
      onError: (error) => logger.error('vendor settings', { error }),
    }),
    credentials: secretReader({ valueVariable: ENV.vendorCredentials, arnVariable: ENV.vendorSecretArn }),
    production: config.production,
    now: () => new Date(),
  }),
  consent: dynamoConsentStore(dynamo, requireEnv(ENV.consentTable)),
  sender: fetchSender(),
  deadLetters: sqsDeadLetters(sqs, requireEnv(ENV.deadLetterQueueUrl)),
  redelivery: sqsRedelivery(sqs, requireEnv(ENV.queueUrl)),
  now: () => new Date(),
  onOutcome: logOutcome,
}).use(injectLambdaContext(logger))
