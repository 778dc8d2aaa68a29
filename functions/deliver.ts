import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { SQSClient } from '@aws-sdk/client-sqs'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { secretFromEnvironment } from '#shared/adapters/secrets.ts'
import { sqsDeadLetters } from '#shared/adapters/sqs-dead-letters.ts'
import { sqsRedelivery } from '#shared/adapters/sqs-redelivery.ts'
import { ConfigError, configFromEnvironment, requireEnv } from '#shared/config/load.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import { switchedOffAdapter } from '#shared/vendors/adapter.ts'
import { GA4_PURPOSES, ga4Adapter, parseGa4ApiSecret } from '#shared/vendors/ga4.ts'
import { vendorPolicy } from '#shared/vendors/registry.ts'
import { createDeliverHandler } from './deliver/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-deliver' })
const config = configFromEnvironment()
const vendor = requireEnv('VENDOR')
if (vendor !== 'ga4') throw new ConfigError(`VENDOR is ${vendor}; this deliverer knows only ga4`)

// A vendor absent or switched off needs no secret: its messages are withheld with a reason, not a crash.
// The deployed deliverer always sends to the vendor's own endpoint (a base URL override is local only).
const ga4 = config.vendors.ga4
const adapter = ga4?.enabled
  ? ga4Adapter(
      ga4,
      parseGa4ApiSecret(
        await secretFromEnvironment({ valueVariable: 'GA4_API_SECRET', arnVariable: 'VENDOR_SECRET_ARN' }),
      ),
    )
  : switchedOffAdapter(vendor, GA4_PURPOSES)
const sqs = new SQSClient({})

const logOutcome = ({ outcome, ...details }: OutcomeReport) => {
  if (outcome === 'delivered') logger.debug(outcome, details)
  else if (outcome === 'withheld') logger.info(outcome, details)
  else logger.warn(outcome, details)
}

export const handler = createDeliverHandler({
  adapter,
  policy: () => vendorPolicy(config, vendor),
  consent: dynamoConsentStore(documentClient(), requireEnv('CONSENT_TABLE_NAME')),
  sender: fetchSender(),
  deadLetters: sqsDeadLetters(sqs, requireEnv('DLQ_URL')),
  redelivery: sqsRedelivery(sqs, requireEnv('QUEUE_URL')),
  now: () => new Date(),
  onOutcome: logOutcome,
}).use(injectLambdaContext(logger))
