import type { AddressInfo } from 'node:net'
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { buildApp } from 'fauxqs'

export interface LocalSqs {
  endpoint: string
  /** SDK client settings that reach the local server (dummy credentials, fixed region). */
  clientConfig: {
    endpoint: string
    region: string
    credentials: { accessKeyId: string; secretAccessKey: string }
  }
  /** Creates a queue and returns its URL. */
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>
  /** Every message currently visible in the queue, with all message attributes. */
  receiveAll(queueUrl: string): Promise<Message[]>
  close(): Promise<void>
}

const SQS_MAX_RECEIVE = 10

/**
 * fauxqs in-process, bound to 127.0.0.1 (its startFauxqs helper listens on every interface, so the app
 * is built and bound here instead). Queue URLs point at the same loopback address.
 */
export async function startLocalSqs(): Promise<LocalSqs> {
  const app = buildApp({ logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const endpoint = `http://127.0.0.1:${port}`
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }
  const client = new SQSClient(clientConfig)

  return {
    endpoint,
    clientConfig,
    async createQueue(name, attributes) {
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
      )
      if (!QueueUrl) throw new Error(`fauxqs returned no URL for queue ${name}`)
      return QueueUrl
    },
    async receiveAll(queueUrl) {
      const messages: Message[] = []
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: SQS_MAX_RECEIVE,
            MessageAttributeNames: ['All'],
            VisibilityTimeout: 60,
            WaitTimeSeconds: 0,
          }),
        )
        if (Messages.length === 0) return messages
        messages.push(...Messages)
      }
    },
    async close() {
      client.destroy()
      await app.close()
    },
  }
}
