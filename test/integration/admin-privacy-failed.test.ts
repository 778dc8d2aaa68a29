import { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { sqsDispatch } from '#shared/adapters/sqs-dispatch.ts'
import { listPrivacyRequests, runPrivacyRequest } from '#shared/admin/privacy.ts'
import type { AdminDeps } from '#shared/admin/service.ts'
import { parseConfig } from '#shared/config/load.ts'
import { composeAdmin } from '../../functions/admin/compose.ts'
import { visitorRights } from '../../functions/consent/compose.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { dynaliteTransactWrite } from '../../local/dynalite-transactions.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'

const CONSENT = 'failed-request-consent'
const CONFIG = 'failed-request-config'
const PSEUDONYM_KEY = 'failed-request-pseudonym-key'
const VISITOR = 'visitor-failed-request-91c2'
const EMAIL = 'lin.failed@example.org'
const config = parseConfig({
  sites: [{ id: 'shop', writeKeys: ['failed-request-key'], allowedOrigins: ['https://shop.example'] }],
})

describe('an admin’s privacy request that fails after its audit entry is written', () => {
  let dynamo: EmbeddedDynamo
  let sqs: LocalSqs
  let sqsClient: SQSClient
  let deps: AdminDeps

  beforeAll(async () => {
    ;[dynamo, sqs] = await Promise.all([startEmbeddedDynamo([CONSENT, CONFIG]), startLocalSqs()])
    sqsClient = new SQSClient({ ...sqs.clientConfig, maxAttempts: 1 })
    const client = documentClient(dynamo.clientConfig)
    const queue = await sqs.createQueue('tagwarden-ga4')
    // HubSpot's queue was never created: its erase request cannot be sent.
    const dispatch = sqsDispatch(sqsClient, { ga4: queue, hubspot: `${sqs.endpoint}/000000000000/missing` })
    deps = composeAdmin({
      config,
      dynamo: client,
      configTable: CONFIG,
      status: { statusOf: async () => Promise.reject(new Error('not used')) },
      redriver: { redrive: async () => Promise.reject(new Error('not used')) },
      transactWrite: dynaliteTransactWrite(client),
      rights: {
        rights: visitorRights(
          { config, dynamo: client, consentTable: CONSENT, pseudonymKey: PSEUDONYM_KEY },
          dispatch,
        ),
        consentTable: CONSENT,
        pseudonymKey: PSEUDONYM_KEY,
      },
    })
  })
  afterAll(async () => {
    sqsClient?.destroy()
    await Promise.all([dynamo?.close(), sqs?.close()])
  })

  it('is listed as failed with its reason, naming neither the visitor nor the e-mail', async () => {
    const body = { kind: 'erase', siteId: 'shop', anonymousId: VISITOR, email: EMAIL }
    await expect(runPrivacyRequest(deps, { principal: 'local:admin', body })).rejects.toThrow()

    const { requests } = await listPrivacyRequests(deps)
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ kind: 'erase', siteId: 'shop', state: 'failed' })
    expect(requests[0]?.failure).toMatch(/queue|exist/i)
    expect(requests[0]?.deadline).toEqual(expect.any(String))
    const listed = JSON.stringify(requests)
    expect(listed).not.toContain(VISITOR)
    expect(listed).not.toContain(EMAIL)

    const entries = await deps.store.auditEntries({
      from: new Date(0),
      to: new Date(Date.now() + 60_000),
      limit: 10,
    })
    expect(entries.map((entry) => [entry.id, entry.action])).toEqual([[requests[0]?.id, 'privacy.erase']])
  })
})
