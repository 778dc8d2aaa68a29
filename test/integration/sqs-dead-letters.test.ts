import { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqsDeadLetters } from '#shared/adapters/sqs-dead-letters.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'
import { queuedMessage } from '../unit/delivery/fixtures.ts'

let sqs: LocalSqs
let client: SQSClient

beforeAll(async () => {
  sqs = await startLocalSqs()
  client = new SQSClient(sqs.clientConfig)
})

afterAll(async () => {
  client.destroy()
  await sqs.close()
})

describe('sqsDeadLetters', () => {
  it('parks the message as the body with the reason as an attribute', async () => {
    const dlqUrl = await sqs.createQueue('ga4-dlq')
    const message = queuedMessage()

    await sqsDeadLetters(client, dlqUrl).park(message, 'ga4 answered 400: bad request')

    const [parked, ...rest] = await sqs.receiveAll(dlqUrl)
    expect(rest).toEqual([])
    expect(JSON.parse(parked?.Body ?? '')).toEqual(message)
    expect(parked?.MessageAttributes?.reason?.StringValue).toBe('ga4 answered 400: bad request')
  })

  it('cuts a runaway reason and replaces characters SQS refuses', async () => {
    const dlqUrl = await sqs.createQueue('ga4-dlq-long')

    await sqsDeadLetters(client, dlqUrl).park(queuedMessage(), `bad\u0000${'x'.repeat(5000)}`)

    const [parked] = await sqs.receiveAll(dlqUrl)
    const reason = parked?.MessageAttributes?.reason?.StringValue ?? ''
    expect(reason).toHaveLength(1024)
    expect(reason.startsWith('bad?x')).toBe(true)
  })
})
