import { Logger } from '@aws-lambda-powertools/logger'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import type { Redriver, VendorStatusSource } from '#shared/admin/ports.ts'
import { deploymentConfigFromEnvironment, ENV, requireEnv } from '#shared/config/environment.ts'
import { composeAdmin } from './admin/compose.ts'
import { createAdminHandler } from './admin/handler.ts'

const logger = new Logger({ serviceName: 'tagwarden-admin' })

// TODO(lead): wire `sqsVendorStatus(...)` (shared/adapters/sqs-vendor-status.ts) and `sqsRedriver(...)`
// (shared/adapters/sqs-redrive.ts) here, with each vendor's queueUrlVariable / queueArnVariable /
// deadLetterQueueUrlVariable / deadLetterQueueArnVariable read through requireEnv, once those files land.
const status: VendorStatusSource = {
  statusOf: async () => ({
    queue: { depth: null, inFlight: null, oldestAgeSeconds: null },
    deadLetters: { count: null },
    lastDelivery: null,
  }),
}
const redriver: Redriver = {
  redrive: async () => {
    throw new Error('redrive is not wired in this build (sqsRedriver pending)')
  },
}

export const handler = createAdminHandler(
  composeAdmin({
    config: deploymentConfigFromEnvironment(),
    dynamo: documentClient(),
    configTable: requireEnv(ENV.configTable),
    status,
    redriver,
    report: (error) => logger.error('admin request failed', { error }),
  }),
)
