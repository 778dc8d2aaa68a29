import { describe, expect, it } from 'vitest'
import { exampleConfig, resourceOf, synthesize } from './synth.ts'

const { stack, template } = synthesize(exampleConfig())
const tables = [
  ['consent', stack.tables.consent],
  ['config', stack.tables.config],
  ['idempotency', stack.tables.idempotency],
] as const

describe.each(tables)('the %s table', (_name, table) => {
  const resource = resourceOf(template, table)

  it('is keyed by pk and sk as shared/adapters/dynamodb-tables.ts declares', () => {
    expect(resource).toMatchObject({
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      },
    })
  })

  it('expires items by the expiresAt attribute', () => {
    expect(resource).toMatchObject({
      Properties: { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
    })
  })

  it('bills on demand', () => {
    expect(resource).toMatchObject({ Properties: { BillingMode: 'PAY_PER_REQUEST' } })
  })

  it('has point-in-time recovery and deletion protection', () => {
    expect(resource).toMatchObject({
      Properties: {
        Replicas: [
          {
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          },
        ],
      },
    })
  })

  it('is retained when the stack is deleted or the table replaced', () => {
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })
  })
})
