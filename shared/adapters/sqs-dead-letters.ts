import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import type { DeadLetters } from '#shared/delivery/message.ts'
import { sqsMessageBody } from './sqs-dispatch.ts'

/** SQS caps a message attribute value; a reason is a sentence, so this only guards against runaway text. */
export const MAX_REASON_CHARS = 1024

/** Parks messages in a vendor's dead-letter queue: the message as the body, why as the `reason` attribute. */
export function sqsDeadLetters(client: SQSClient, dlqUrl: string): DeadLetters {
  return {
    async park(message, reason) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: sqsMessageBody(message),
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: attributeText(reason) },
          },
        }),
      )
    },
  }
}

/** The reason quotes vendor answers, so characters SQS refuses in attributes are replaced. */
function attributeText(reason: string): string {
  const text = reason.slice(0, MAX_REASON_CHARS).replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/g, '?')
  return text === '' ? 'no reason given' : text
}
