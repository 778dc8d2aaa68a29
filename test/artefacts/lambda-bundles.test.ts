import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Message } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { tagScript, versionedTagPath } from '#shared/tag/script.ts'
import { bundleFunction } from '../../infra/bundling.ts'
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynalite.ts'
import { CONFIG_TABLE, CONSENT_TABLE, IDEMPOTENCY_TABLE } from '../../local/system.ts'
import { buildTag } from '../../tag/build.ts'
import { apiEvent, basicAuthorization } from '../support/api-event.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { type LocalSqs, startLocalSqs } from '../support/fauxqs.ts'
import { validateGa4Request } from '../support/ga4-validator.ts'
import { invokeBundle, LAMBDA_NODE } from '../support/invoke-bundle.ts'

const CLIENT_IP = '198.51.100.77'
const VISITOR = 'artefact-visitor-1'
const runtimeConfig = JSON.parse(readFileSync('infra/config.example.json', 'utf8')).runtime
const site = runtimeConfig.sites[0]
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

/**
 * The deployable artefacts themselves: each function bundled exactly as `cdk synth` bundles it,
 * cold-started in a fresh Node process and invoked with the events AWS would send, against dynalite,
 * fauxqs and a loopback GA4.
 */
describe(`the Lambda bundles, run by ${LAMBDA_NODE}`, () => {
  let dynamo: EmbeddedDynamo
  let sqs: LocalSqs
  let ga4: CaptureServer
  let bundles: Record<'collect' | 'consent' | 'deliver', string>
  let env: Record<string, string>
  let queueUrl: string
  let queued: Message[] = []

  beforeAll(async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'tagwarden-artefacts-'))
    const [collect, consent, deliver] = await Promise.all([
      bundleFunction('collect', outdir),
      bundleFunction('consent', outdir),
      bundleFunction('deliver', outdir),
    ])
    bundles = { collect, consent, deliver }
    ;[dynamo, sqs, ga4] = await Promise.all([
      startEmbeddedDynamo([CONSENT_TABLE, IDEMPOTENCY_TABLE, CONFIG_TABLE]),
      startLocalSqs(),
      startCaptureServer(),
    ])
    queueUrl = await sqs.createQueue('tagwarden-ga4')
    // What the stack's seed writes at deploy: the config file's vendor settings, GA4 switched on.
    const seeding = documentClient(dynamo.clientConfig)
    await seedVendorSettings(seeding, CONFIG_TABLE, { ga4: { ...runtimeConfig.vendors.ga4, enabled: true } })
    seeding.destroy()
    env = {
      TAGWARDEN_CONFIG_JSON: JSON.stringify({ ...runtimeConfig, vendors: undefined }),
      CONFIG_TABLE_NAME: CONFIG_TABLE,
      CONSENT_TABLE_NAME: CONSENT_TABLE,
      IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE,
      QUEUE_URL_GA4: queueUrl,
      DLQ_URL: await sqs.createQueue('tagwarden-ga4-dlq'),
      VENDOR: 'ga4',
      // As the stack sets it from the queue's redrive policy.
      MAX_RECEIVE_COUNT: '5',
      TAGWARDEN_PSEUDONYM_KEY: 'artefact-test-pseudonym-key',
      VENDOR_CREDENTIALS: JSON.stringify({ apiSecret: 'artefact-ga4-secret' }),
      QUEUE_URL: queueUrl,
      TAGWARDEN_TEST_VENDOR_LOOPBACK: ga4.url,
      NODE_OPTIONS: [
        `--import=${pathToFileURL('test/support/localhost-dns.mjs').href}`,
        `--import=${pathToFileURL('test/support/vendor-hosts-to-loopback.mjs').href}`,
      ].join(' '),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    }
  }, 60_000)

  afterAll(async () => {
    await Promise.all([dynamo?.close(), sqs?.close(), ga4?.close()])
  })

  const request = (method: string, path: string, body: unknown) =>
    apiEvent({
      method,
      path,
      body,
      sourceIp: CLIENT_IP,
      headers: {
        authorization: basicAuthorization(site.writeKeys[0]),
        origin: site.allowedOrigins[0],
        'user-agent': BROWSER_UA,
      },
    })

  it('the consent function carries no vendor code (it sends to no vendor)', () => {
    const code = readFileSync(bundles.consent, 'utf8')
    for (const endpoint of [
      'google-analytics.com',
      'graph.facebook.com',
      'api.linkedin.com',
      'api.hubapi.com',
    ])
      expect(code, endpoint).not.toContain(endpoint)
    expect(readFileSync(bundles.deliver, 'utf8')).toContain('graph.facebook.com')
  })

  it('consent records the visitor’s decision', async () => {
    const { result } = await invokeBundle(
      bundles.consent,
      request('PUT', '/v1/consent', { anonymousId: VISITOR, purposes: { analytics: true } }),
      env,
    )
    expect(result).toMatchObject({ statusCode: 200 })
  })

  it('collect queues a minimised copy on the GA4 queue, with no IP and no visitor id in it', async () => {
    const event = request('POST', '/v1/batch', {
      batch: [{ type: 'track', event: 'Order Completed', anonymousId: VISITOR, properties: { value: 42 } }],
    })
    const { result, logs } = await invokeBundle(bundles.collect, event, env)
    expect(result, logs).toMatchObject({ statusCode: 200 })
    queued = await sqs.receiveAll(queueUrl)
    expect(queued).toHaveLength(1)
    const text = JSON.stringify(queued) + logs
    expect(text).not.toContain(CLIENT_IP)
    expect(text).not.toContain(VISITOR)
  })

  it('collect serves the first-party tag it was bundled with, short-cached and under its version', async () => {
    const tag = tagScript(buildTag().code)
    const plain = await invokeBundle(bundles.collect, apiEvent({ method: 'GET', path: '/tag.js' }), env)
    expect(plain.result, plain.logs).toMatchObject({
      statusCode: 200,
      body: tag.code,
      headers: {
        'content-type': 'application/javascript; charset=utf-8',
        'cache-control': 'public, max-age=300',
        etag: tag.etag,
      },
    })
    const versioned = await invokeBundle(
      bundles.collect,
      apiEvent({ method: 'GET', path: versionedTagPath(tag.version) }),
      env,
    )
    expect(versioned.result).toMatchObject({
      statusCode: 200,
      body: tag.code,
      headers: { 'cache-control': 'public, max-age=31536000, immutable' },
    })
    const revalidated = await invokeBundle(
      bundles.collect,
      apiEvent({ method: 'GET', path: '/tag.js', headers: { 'if-none-match': tag.etag } }),
      env,
    )
    expect(revalidated.result).toMatchObject({ statusCode: 304, body: '' })
    const stale = await invokeBundle(
      bundles.collect,
      apiEvent({ method: 'GET', path: versionedTagPath('not-a-build') }),
      env,
    )
    expect(stale.result).toMatchObject({
      statusCode: 404,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: expect.stringContaining('"error"'),
    })
  })

  it('deliver sends the queued event to GA4 as a valid Measurement Protocol request', async () => {
    const records = queued.map((message) => ({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tagwarden-ga4',
      awsRegion: 'us-east-1',
    }))
    const { result } = await invokeBundle(bundles.deliver, { Records: records }, env)
    expect(result).toEqual({ batchItemFailures: [] })
    expect(ga4.requests).toHaveLength(1)
    const [sent] = ga4.requests
    if (!sent) throw new Error('GA4 received nothing')
    expect(JSON.parse(sent.body).events[0].name).toBe('order_completed')
    expect(sent.query.api_secret).toBe('artefact-ga4-secret')
    expect(validateGa4Request(sent, { allowHost: new URL(ga4.url).host })).toEqual([])
  })
})
