import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { SQSClient } from '@aws-sdk/client-sqs'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoLastDelivery } from '#shared/adapters/dynamodb-last-delivery.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import { PSEUDONYM_SECRET, secretReader } from '#shared/adapters/secrets.ts'
import { sqsDeadLetters } from '#shared/adapters/sqs-dead-letters.ts'
import { sqsRedelivery } from '#shared/adapters/sqs-redelivery.ts'
import {
  deploymentConfigFromEnvironment,
  ENV,
  maxReceiveCountFromEnvironment,
  requireEnv,
} from '#shared/config/environment.ts'
import { ConfigError } from '#shared/config/errors.ts'
import type { OutcomeReport } from '#shared/delivery/deliver.ts'
import { vendorById } from '#shared/vendors/index.ts'
import { composeDeliver } from './deliver/compose.ts'
import { createDeliverHandler } from './deliver/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-deliver' })
const config = deploymentConfigFromEnvironment()
const vendorId = requireEnv(ENV.vendor)
const vendor = vendorById(vendorId)
if (!vendor) throw new ConfigError(`VENDOR is ${vendorId}; no vendor of that id (shared/vendors/index.ts)`)

const sqs = new SQSClient({})
const dynamo = documentClient()
const configTable = requireEnv(ENV.configTable)
const consentTable = requireEnv(ENV.consentTable)

const logOutcome = ({ outcome, ...details }: OutcomeReport) => {
  if (outcome === 'delivered') logger.debug(outcome, details)
  else if (outcome === 'withheld') logger.info(outcome, details)
  else logger.warn(outcome, details)
}

export const handler = createDeliverHandler(
  // The deployed deliverer always sends to the vendor's own endpoint (a base URL override is local only).
  composeDeliver({
    vendor,
    dynamo,
    tables: { consent: consentTable, config: configTable },
    credentials: secretReader({ valueVariable: ENV.vendorCredentials, arnVariable: ENV.vendorSecretArn }),
    sender: fetchSender(),
    deadLetters: sqsDeadLetters(sqs, requireEnv(ENV.deadLetterQueueUrl)),
    redelivery: sqsRedelivery(sqs, requireEnv(ENV.queueUrl)),
    production: config.production,
    policyVersion: config.policyVersion,
    onOutcome: logOutcome,
    reportError: (error) => logger.error('vendor settings, status or ledger', { error }),
    lastDelivery: dynamoLastDelivery(dynamo, configTable),
    ledger: { table: consentTable, retentionDays: config.retention.ledgerDays },
    maxReceiveCount: maxReceiveCountFromEnvironment(),
    // Set only for a vendor erasing by e-mail (infra): undefined otherwise, and such a request then fails.
    pseudonymKey: secretReader(PSEUDONYM_SECRET),
  }),
).use(injectLambdaContext(logger))
