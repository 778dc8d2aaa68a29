import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { SQSClient } from '@aws-sdk/client-sqs'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { secretReader } from '#shared/adapters/secrets.ts'
import { sqsDeadLetters } from '#shared/adapters/sqs-dead-letters.ts'
import { sqsRedelivery } from '#shared/adapters/sqs-redelivery.ts'
import { ConfigError, configFromEnvironment, requireEnv } from '#shared/config/load.ts'
import { vendorBinding } from '#shared/delivery/binding.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import { vendorById } from '#shared/vendors/index.ts'
import { staticVendorSettings } from '#shared/vendors/runtime-settings.ts'
import { createDeliverHandler } from './deliver/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-deliver' })
const config = configFromEnvironment()
const vendorId = requireEnv('VENDOR')
const vendor = vendorById(vendorId)
if (!vendor) throw new ConfigError(`VENDOR is ${vendorId}; no vendor of that id (shared/vendors/index.ts)`)

const sqs = new SQSClient({})

const logOutcome = ({ outcome, ...details }: OutcomeReport) => {
  if (outcome === 'delivered') logger.debug(outcome, details)
  else if (outcome === 'withheld') logger.info(outcome, details)
  else logger.warn(outcome, details)
}

export const handler = createDeliverHandler({
  // The deployed deliverer always sends to the vendor's own endpoint (a base URL override is local only).
  binding: vendorBinding({
    vendor,
    settings: staticVendorSettings(config.vendors),
    credentials: secretReader({ valueVariable: 'VENDOR_CREDENTIALS', arnVariable: 'VENDOR_SECRET_ARN' }),
    now: () => new Date(),
  }),
  consent: dynamoConsentStore(documentClient(), requireEnv('CONSENT_TABLE_NAME')),
  sender: fetchSender(),
  deadLetters: sqsDeadLetters(sqs, requireEnv('DLQ_URL')),
  redelivery: sqsRedelivery(sqs, requireEnv('QUEUE_URL')),
  now: () => new Date(),
  onOutcome: logOutcome,
}).use(injectLambdaContext(logger))
