import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SQSClient } from '@aws-sdk/client-sqs'

/**
 * The least a function of this project can be: the DynamoDB and SQS clients built at module scope and
 * a handler that answers. Bundled like the real functions, it is the floor their cold import is
 * compared with (bench/bundles.ts).
 */
const dynamo = new DynamoDBClient({})
const sqs = new SQSClient({})

export const handler = async () => ({ statusCode: 200, body: `${typeof dynamo.send}${typeof sqs.send}` })
