import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { ConsentReadError, dynamoConsentStore } from '#shared/adapters/dynamodb-consent-store.ts'

// DynamoDB leaves keys unprocessed when it throttles; dynalite never does, so the answer is injected.
const dynamo = mockClient(DynamoDBDocumentClient)
const TABLE = 'consent'
const NOW = new Date('2024-05-06T12:00:00.000Z')
const item = (pk: string) => ({
  pk,
  sk: 'current',
  purposes: { analytics: true, marketing: false },
  policyVersion: '2018-05',
  receiptId: `receipt-${pk}`,
  updatedAt: '2024-05-01T00:00:00.000Z',
  expiresAt: NOW.getTime() / 1000 + 3600,
})

describe('dynamoConsentStore.currentMany when DynamoDB leaves keys unprocessed', () => {
  afterEach(() => dynamo.reset())

  it('asks again for the unprocessed keys only, strongly consistent', async () => {
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [item('a')] },
        UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'b', sk: 'current' }], ConsistentRead: true } },
      })
      .resolves({ Responses: { [TABLE]: [item('b')] } })

    const found = await dynamoConsentStore(documentClient(), TABLE).currentMany?.(['a', 'b'], NOW)

    expect([...(found?.keys() ?? [])]).toEqual(['a', 'b'])
    expect(found?.get('b')?.receiptId).toBe('receipt-b')
    const calls = dynamo.commandCalls(BatchGetCommand)
    expect(calls[1]?.args[0].input.RequestItems?.[TABLE]).toEqual({
      Keys: [{ pk: 'b', sk: 'current' }],
      ConsistentRead: true,
    })
  })

  it('fails the read when keys stay unprocessed, so the collector answers 5xx and the client retries', async () => {
    dynamo.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'a', sk: 'current' }] } },
    })

    const read = dynamoConsentStore(documentClient(), TABLE).currentMany?.(['a'], NOW)

    await expect(read).rejects.toBeInstanceOf(ConsentReadError)
  })
})
