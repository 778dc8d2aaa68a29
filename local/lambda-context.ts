import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'

/** API Gateway's integration timeout; the local HTTP handlers run under it. */
const LOCAL_TIMEOUT_MS = 30_000

/** The Lambda context object a handler receives, as far as local runs need one. */
export function lambdaContext(functionName = 'tagwarden-local', timeoutMs = LOCAL_TIMEOUT_MS): Context {
  const deadline = Date.now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }
}
