import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { documentClient } from '#shared/adapters/dynamodb-client.ts'
import { dynamoLastDelivery } from '#shared/adapters/dynamodb-last-delivery.ts'
import { seedVendorSettings } from '#shared/adapters/dynamodb-vendor-settings.ts'
import { fetchSender } from '#shared/adapters/fetch-sender.ts'
import type { TagwardenConfig } from '#shared/config/schema.ts'
import { type ApiFunction, matchRoute } from '#shared/events/routes.ts'
import { corsHeaders, preflightResponse } from '#shared/http/cors.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'
import type { DecisionRecord } from '#shared/ingest/collect.ts'
import { type CalendlySigningKeys, parseSigningKeys } from '#shared/sources/calendly/signing-keys.ts'
import { tagScript } from '#shared/tag/script.ts'
import { VENDORS, type VendorId } from '#shared/vendors/index.ts'
import { composeAdmin } from '../functions/admin/compose.ts'
import { createAdminHandler } from '../functions/admin/handler.ts'
import { composeCollect } from '../functions/collect/compose.ts'
import { createCollectHandler } from '../functions/collect/handler.ts'
import { composeConsent, visitorRights } from '../functions/consent/compose.ts'
import { createConsentHandler } from '../functions/consent/handler.ts'
import { composeDeliver } from '../functions/deliver/compose.ts'
import { createDeliverHandler } from '../functions/deliver/handler.ts'
import { buildTag } from '../tag/build.ts'
import { startLocalAdminServer } from './admin-server.ts'
import { BodyTooLargeError, toApiGatewayEvent, writeResult } from './api-gateway.ts'
import { claimDataDir } from './data-dir.ts'
import { startEmbeddedDynamo } from './dynalite.ts'
import { dynaliteTransactWrite } from './dynalite-transactions.ts'
import { lambdaContext } from './lambda-context.ts'
import { DEFAULT_OUTBOX_ENTRIES, Outbox } from './outbox.ts'
import { localQueueStatus, localRedriver } from './queue-status.ts'
import { type LocalQueueSettings, LocalQueues, queueSettingsFor } from './queues.ts'
import { recordingSender } from './recording-sender.ts'

const DEV_PATH_PREFIX = '/__tagwarden/'
const OUTBOX_PATH = '/__tagwarden/outbox'
const METRICS_PATH = '/__tagwarden/metrics'
/** Host names the developer endpoints answer; any other Host is a DNS-rebinding attempt. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost'])

export const CONSENT_TABLE = 'tagwarden-consent'
export const CONFIG_TABLE = 'tagwarden-config'
export const IDEMPOTENCY_TABLE = 'tagwarden-idempotency'
/** How long a shutdown waits for running deliveries; what is unfinished then stays queued on disk. */
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000
/** How long a shutdown lets requests under way finish before closing their connections. */
const REQUEST_GRACE_MS = 2_000
/** GA4's configuration default, for a vendor whose settings name no request timeout. */
const DEFAULT_REQUEST_TIMEOUT_MS = 5_000

export interface LocalSystemOptions {
  config: TagwardenConfig
  port: number
  pseudonymKey: string
  /** Each vendor's secret text (JSON, as in Secrets Manager). Absent: the vendor's development placeholder. */
  credentials?: Partial<Record<VendorId, string>>
  /** Send vendor requests for real, to this scheme and host (vendor paths kept). Absent: dry run. */
  vendorBaseUrl?: string
  trustProxy: boolean
  print: (line: string) => void
  /**
   * Where consent tables, queues and dead letters are kept across restarts (TAGWARDEN_DATA_DIR).
   * Absent: everything in memory, gone when the process ends.
   */
  dataDir?: string
  /** Entries kept per outbox list (TAGWARDEN_OUTBOX_ENTRIES). */
  outboxEntries?: number
  /** Overrides the queue timings derived from each vendor's request timeout (tests shorten them). */
  queueSettings?: LocalQueueSettings
  /** How long close() waits for running deliveries. */
  drainTimeoutMs?: number
  /**
   * How long collect and deliver serve one read of vendor settings and policy versions
   * (TAGWARDEN_SETTINGS_CACHE_SECONDS; at most and by default 30 s, as deployed). The admin API states it.
   */
  settingsMaxAgeMs?: number
  /** Calendly signing keys as JSON `{siteId: key}` (TAGWARDEN_CALENDLY_SIGNING_KEYS); absent: Calendly webhooks get 404. */
  calendlySigningKeys?: string
  /** The admin API and page's port (TAGWARDEN_ADMIN_PORT); absent or 0: any free port. */
  adminPort?: number
  /** What the admin API wants as `Authorization: Bearer …` (TAGWARDEN_ADMIN_TOKEN); absent: random. */
  adminToken?: string
}

export interface LocalSystem {
  url: string
  dynamoEndpoint: string
  outbox: Outbox
  queues: LocalQueues
  /** The admin API (`/admin/*`) and the admin page (`/`). */
  adminUrl: string
  adminToken: string
  close(): Promise<void>
}

/** The admin page's files (written into admin-ui/ by the page's own work). */
const ADMIN_UI_DIRECTORY = fileURLToPath(new URL('../admin-ui/', import.meta.url))
const ADMIN_TOKEN_BYTES = 32

type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: ReturnType<typeof lambdaContext>,
) => Promise<HttpResult>
interface Route {
  routeKey: string
  handler: ApiHandler
  pathParameters?: Record<string, string>
}

/**
 * The whole system on one machine: the same handlers as in Lambda, API Gateway v2 events built from real
 * HTTP requests, dynalite for DynamoDB, in-process queues driving the deliverer, and an outbox.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const { config, print } = options
  const storage = options.dataDir ? claimDataDir(options.dataDir) : undefined
  const dynamo = await startEmbeddedDynamo(
    [CONSENT_TABLE, CONFIG_TABLE, IDEMPOTENCY_TABLE],
    storage ? { path: storage.dynamoDirectory } : {},
  )
  const client = documentClient(dynamo.clientConfig)
  const outbox = new Outbox(options.outboxEntries ?? DEFAULT_OUTBOX_ENTRIES)
  const queueSettingsOf = (vendor: VendorId) =>
    options.queueSettings ?? queueSettingsFor(config.vendors[vendor]?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
  const queues = new LocalQueues(outbox, print, queueSettingsOf)
  if (storage) await queues.persistTo(storage.queueJournal)
  /** The local stand-in for the CloudWatch metrics the Lambda functions publish. */
  const metrics = { PixelClientErrors: 0 }
  const reportError = (error: unknown) =>
    print(`[error] ${error instanceof Error ? error.name : 'Error'}: ${String(error)}`)

  // Like the deployed stack: the config file seeds the config table (an item already there wins).
  await seedVendorSettings(client, CONFIG_TABLE, config.vendors)
  const settingsWindow =
    options.settingsMaxAgeMs !== undefined ? { settingsMaxAgeMs: options.settingsMaxAgeMs } : {}
  const collect = createCollectHandler(
    composeCollect({
      config,
      dynamo: client,
      tables: { consent: CONSENT_TABLE, config: CONFIG_TABLE, idempotency: IDEMPOTENCY_TABLE },
      ...settingsWindow,
      dispatch: queues,
      pseudonymKey: options.pseudonymKey,
      trustProxy: options.trustProxy,
      ...calendlyKeys(options.calendlySigningKeys),
      // Built from tag/src at start, as the deployed bundle embeds it: an edit shows on the next start.
      tag: tagScript(buildTag().code),
      report: {
        onDecision: (decision) => {
          outbox.decisions.push(decision)
          print(
            `[decision] ${decision.vendor ?? '-'} ${decision.messageId}: ${decision.allow ? 'allow' : 'deny'} (${decision.reason})${redactionNote(decision)}`,
          )
        },
        reportError,
        reportPixelRefusal: (error) => {
          metrics.PixelClientErrors++
          print(`[warn] pixel request refused: ${error.name} (${error.field ?? '-'}): ${error.message}`)
        },
      },
    }),
  )
  const consentApi = createConsentHandler(
    composeConsent({
      config,
      dynamo: client,
      consentTable: CONSENT_TABLE,
      configTable: CONFIG_TABLE,
      pseudonymKey: options.pseudonymKey,
      dispatch: queues,
    }),
  )

  const realSender = options.vendorBaseUrl ? fetchSender() : undefined
  for (const vendor of VENDORS) {
    const secret = options.credentials?.[vendor.id] ?? JSON.stringify(vendor.devCredentials)
    queues.consume(
      vendor.id,
      createDeliverHandler(
        composeDeliver({
          vendor,
          dynamo: client,
          tables: { consent: CONSENT_TABLE, config: CONFIG_TABLE },
          ...settingsWindow,
          credentials: async () => secret,
          sender: recordingSender(outbox, print, realSender),
          deadLetters: queues.deadLetters(vendor.id),
          redelivery: queues.redelivery(vendor.id),
          baseUrl: options.vendorBaseUrl,
          production: config.production,
          policyVersion: config.policyVersion,
          onOutcome: (report) => outbox.recordDelivery(vendor.id, report, { dryRun: !realSender }),
          reportError,
          lastDelivery: dynamoLastDelivery(client, CONFIG_TABLE),
          maxReceiveCount: queueSettingsOf(vendor.id).maxReceiveCount,
          pseudonymKey: async () => options.pseudonymKey,
          ledger: { table: CONSENT_TABLE, retentionDays: config.retention.ledgerDays },
        }),
      ),
    )
  }
  queues.start()

  const adminToken = options.adminToken ?? randomBytes(ADMIN_TOKEN_BYTES).toString('hex')
  const admin = await startLocalAdminServer({
    handler: createAdminHandler(
      composeAdmin({
        ...settingsWindow,
        config,
        dynamo: client,
        configTable: CONFIG_TABLE,
        status: localQueueStatus({
          queues,
          lastDelivery: dynamoLastDelivery(client, CONFIG_TABLE),
          onError: reportError,
        }),
        redriver: localRedriver(queues),
        transactWrite: dynaliteTransactWrite(client),
        report: reportError,
        rights: {
          rights: visitorRights(
            { config, dynamo: client, consentTable: CONSENT_TABLE, pseudonymKey: options.pseudonymKey },
            queues,
          ),
          consentTable: CONSENT_TABLE,
          pseudonymKey: options.pseudonymKey,
        },
      }),
    ),
    token: adminToken,
    port: options.adminPort ?? 0,
    print,
    staticDirectory: ADMIN_UI_DIRECTORY,
  })

  const handlers: Record<ApiFunction, ApiHandler> = { collect, consent: consentApi }
  const route = (method: string, path: string): Route | undefined => {
    const matched = matchRoute(method, path)
    if (!matched) return undefined
    return {
      routeKey: matched.routeKey,
      handler: handlers[matched.route.function],
      ...(Object.keys(matched.rawPathParameters).length > 0
        ? { pathParameters: decodedPathParameters(matched.rawPathParameters) }
        : {}),
    }
  }

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET'
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (method === 'OPTIONS') return writeResult(response, preflightResponse(config, request.headers.origin))
    if (path.startsWith(DEV_PATH_PREFIX) && !isLoopbackHost(request.headers.host)) {
      const refusal = { error: 'developer endpoints answer only Host 127.0.0.1 or localhost', field: 'host' }
      return writeResult(response, jsonResponse(403, refusal))
    }
    if (method === 'GET' && path === OUTBOX_PATH) return writeResult(response, jsonResponse(200, outbox))
    if (method === 'GET' && path === METRICS_PATH) return writeResult(response, jsonResponse(200, metrics))
    if (method === 'GET' && path === '/health') return writeResult(response, jsonResponse(200, { ok: true }))
    const target = route(method, path)
    if (!target) return writeResult(response, notFound(config, request, method, path))
    const event = await toApiGatewayEvent(request, target.routeKey, target.pathParameters)
    writeResult(response, await target.handler(event, lambdaContext('tagwarden-local')))
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      const cors = corsHeaders(config, request.headers.origin)
      if (error instanceof BodyTooLargeError)
        return writeResult(response, jsonResponse(413, { error: 'body too large', field: 'body' }, cors))
      reportError(error)
      writeResult(response, jsonResponse(500, { error: 'internal error' }, cors))
    })
  })
  server.listen(options.port, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    dynamoEndpoint: dynamo.endpoint,
    outbox,
    queues,
    adminUrl: admin.url,
    adminToken,
    async close() {
      await admin.close()
      // Requests under way get their answer (an accepted event is journalled before it); then deliveries drain.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      if (!(await settlesWithin(closed, REQUEST_GRACE_MS))) server.closeAllConnections()
      await closed
      const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS
      if (!(await settlesWithin(queues.close(), drainTimeoutMs)))
        print(`[queue] deliveries still running after ${drainTimeoutMs} ms; their messages stay queued`)
      client.destroy()
      await dynamo.close()
      storage?.release()
    },
  }
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false
  try {
    return LOOPBACK_HOSTS.has(new URL(`http://${host}`).hostname)
  } catch {
    return false
  }
}

/** Path parameters as API Gateway passes them: decoded where the encoding is valid, else as sent. */
function decodedPathParameters(raw: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([name, value]) => {
      try {
        return [name, decodeURIComponent(value)]
      } catch {
        return [name, value]
      }
    }),
  )
}

/** No route: a 404 that a configured origin can read, like every other answer. */
function notFound(config: TagwardenConfig, request: IncomingMessage, method: string, path: string) {
  return jsonResponse(
    404,
    { error: `no route for ${method} ${path}` },
    { ...corsHeaders(config, request.headers.origin), 'cache-control': 'no-store' },
  )
}

async function settlesWithin(work: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  try {
    return await Promise.race([work.then(() => true), expired])
  } finally {
    clearTimeout(timer)
  }
}

/** The PII policy's trace in a printed decision line: kind, detector and action of each hit, no values. */
function redactionNote(decision: DecisionRecord): string {
  const redactions = decision.redactions ?? []
  if (redactions.length === 0) return ''
  return ` [redacted: ${redactions.map(({ kind, detector, action }) => `${kind} ${detector} ${action}`).join(', ')}]`
}

/** Parsed at start, so a malformed TAGWARDEN_CALENDLY_SIGNING_KEYS fails `npm start` rather than a webhook. */
function calendlyKeys(text: string | undefined): { calendlySigningKeys?: CalendlySigningKeys } {
  if (text === undefined) return {}
  const keys = parseSigningKeys(text)
  return { calendlySigningKeys: async (siteId) => keys.get(siteId) }
}
