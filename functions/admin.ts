import { Logger } from '@aws-lambda-powertools/logger'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { SQSClient } from '@aws-sdk/client-sqs'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoLastDelivery } from '#shared/adapters/dynamodb-last-delivery.ts'
import { PSEUDONYM_SECRET, secretFromEnvironment } from '#shared/adapters/secrets.ts'
import { sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import { sqsRedriver, type VendorQueueArns } from '#shared/adapters/sqs-redrive.ts'
import { sqsVendorStatus, type VendorQueueUrls } from '#shared/adapters/sqs-vendor-status.ts'
import {
  deadLetterQueueArnVariable,
  deadLetterQueueUrlVariable,
  deploymentConfigFromEnvironment,
  ENV,
  queueArnVariable,
  queueUrlVariable,
  requireEnv,
} from '#shared/config/environment.ts'
import { VENDOR_IDS } from '#shared/vendors/index.ts'
import { composeAdmin } from './admin/compose.ts'
import { createAdminHandler } from './admin/handler.ts'
import { visitorRights } from './consent/compose.ts'

const logger = new Logger({ serviceName: 'tagwarden-admin' })
// The error only: the request event holds the caller's IP and must never be logged.
const report = (error: unknown) => logger.error('admin request failed', { error })

const configTable = requireEnv(ENV.configTable)
const dynamo = documentClient()
const sqs = new SQSClient({})
const queues = Object.fromEntries(
  VENDOR_IDS.map((vendor) => [
    vendor,
    {
      queueUrl: requireEnv(queueUrlVariable(vendor)),
      queueArn: requireEnv(queueArnVariable(vendor)),
      deadLetterQueueUrl: requireEnv(deadLetterQueueUrlVariable(vendor)),
      deadLetterQueueArn: requireEnv(deadLetterQueueArnVariable(vendor)),
    } satisfies VendorQueueUrls & VendorQueueArns,
  ]),
)

const config = deploymentConfigFromEnvironment()
const consentTable = requireEnv(ENV.consentTable)
const pseudonymKey = await secretFromEnvironment(PSEUDONYM_SECRET)
// An admin-run erasure puts one erase request on every vendor's queue, as the consent function's does.
const dispatch = sqsDispatch(
  sqs,
  Object.fromEntries(VENDOR_IDS.map((vendor) => [vendor, requireEnv(queueUrlVariable(vendor))])),
)

export const handler = createAdminHandler(
  composeAdmin({
    config,
    dynamo,
    configTable,
    status: sqsVendorStatus({
      sqs,
      cloudwatch: new CloudWatchClient({}),
      queues,
      lastDelivery: dynamoLastDelivery(dynamo, configTable),
      onError: report,
    }),
    redriver: sqsRedriver({ sqs, queues, onError: report }),
    report,
    rights: {
      rights: visitorRights({ config, dynamo, consentTable, pseudonymKey }, dispatch),
      consentTable,
      pseudonymKey,
    },
  }),
)
