import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { SQSClient } from '@aws-sdk/client-sqs'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import {
  CALENDLY_SIGNING_KEYS_SECRET,
  PSEUDONYM_SECRET,
  secretFromEnvironment,
  secretReader,
} from '#shared/adapters/secrets.ts'
import { sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import {
  deploymentConfigFromEnvironment,
  ENV,
  queueUrlVariable,
  requireEnv,
} from '#shared/config/environment.ts'
import { signingKeysFrom } from '#shared/sources/calendly/signing-keys.ts'
import { tagScript } from '#shared/tag/script.ts'
import { VENDOR_IDS } from '#shared/vendors/index.ts'
import { composeCollect } from './collect/compose.ts'
import { createCollectHandler } from './collect/handler.ts'

/** The built tag, put in by the bundler (infra/bundling.ts `FUNCTION_DEFINES`): no file read at runtime. */
declare const TAGWARDEN_TAG_JS: string | undefined

const logger = new Logger({ serviceName: 'tagwarden-collect' })
// Built on the first refusal, not at cold start: most invocations never publish a metric.
let metrics: Metrics | undefined
const pixelMetrics = () => {
  metrics ??= new Metrics({ namespace: 'tagwarden', serviceName: 'tagwarden-collect' })
  return metrics
}
const config = deploymentConfigFromEnvironment()
const queueUrls = Object.fromEntries(
  VENDOR_IDS.flatMap((vendor) => {
    const url = process.env[queueUrlVariable(vendor)]
    return url ? [[vendor, url]] : []
  }),
)

export const handler = createCollectHandler(
  composeCollect({
    config,
    dynamo: documentClient(),
    tables: {
      consent: requireEnv(ENV.consentTable),
      config: requireEnv(ENV.configTable),
      idempotency: requireEnv(ENV.idempotencyTable),
    },
    dispatch: sqsDispatch(new SQSClient({}), queueUrls),
    pseudonymKey: await secretFromEnvironment(PSEUDONYM_SECRET),
    trustProxy: config.trustProxy,
    calendlySigningKeys: signingKeysFrom(secretReader(CALENDLY_SIGNING_KEYS_SECRET)),
    ...(typeof TAGWARDEN_TAG_JS === 'string' ? { tag: tagScript(TAGWARDEN_TAG_JS) } : {}),
    report: {
      onDecision: (decision) => logger.debug('decision', { ...decision }),
      reportError: (error) => logger.error('collect failed', { error }),
      // A visitor's bad pixel URL is not our failure: a warning with the error's own fields (never the
      // request), and a count to alarm on.
      reportPixelRefusal: (error) => {
        logger.warn('pixel request refused', {
          error: error.name,
          message: error.message,
          field: error.field,
        })
        pixelMetrics().addMetric('PixelClientErrors', MetricUnit.Count, 1)
        pixelMetrics().publishStoredMetrics()
      },
    },
  }),
)
