import middy from '@middy/core'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { writeKeyFromAuthorization } from '#shared/config/sites.ts'
import { PIXEL_GIF } from '#shared/events/pixel.ts'
import {
  calendlySiteIdOf,
  formIdOf,
  ingestRouteOf,
  PIXEL_PATH,
  RUDDERSTACK_SOURCE_CONFIG_PATH,
  settingsWriteKeyOf,
  tagVersionOf,
} from '#shared/events/routes.ts'
import { rudderstackSourceConfig } from '#shared/events/rudderstack-source-config.ts'
import { SETTINGS_MAX_AGE_SECONDS, segmentSettings } from '#shared/events/segment-settings.ts'
import { apiResponseHeaders } from '#shared/http/cors-middleware.ts'
import { httpErrors } from '#shared/http/error-middleware.ts'
import { ClientError, NotFoundError } from '#shared/http/errors.ts'
import { type HttpResult, jsonResponse } from '#shared/http/response.ts'
import { type CollectDeps, type CollectRequest, collectJson, collectPixel } from '#shared/ingest/collect.ts'
import { collectForm } from '#shared/ingest/form.ts'
import { type FormRateLimiter, inMemoryFormRateLimiter } from '#shared/ingest/form-rate-limit.ts'
import { SIGNATURE_HEADER } from '#shared/sources/calendly/signature.ts'
import type { CalendlySigningKeys } from '#shared/sources/calendly/signing-keys.ts'
import { receiveCalendlyWebhook } from '#shared/sources/calendly/webhook.ts'
import { TAG_PATH } from '#shared/tag/api.ts'
import {
  TAG_CACHE_CONTROL,
  TAG_CONTENT_TYPE,
  type TagScript,
  VERSIONED_TAG_CACHE_CONTROL,
} from '#shared/tag/script.ts'

export interface CollectHandlerDeps extends CollectDeps {
  /** Reports unexpected errors; must never be given the request event (it holds the raw IP). */
  reportError: (error: unknown) => void
  /** Reports a pixel request refused for the client's fault (the pixel still answers its GIF). */
  reportPixelRefusal?: (error: ClientError) => void
  /** Counts contact-form submissions per visitor; absent: one in-memory limiter per handler instance. */
  formRateLimiter?: FormRateLimiter
  /** Each site's Calendly signing key (a secret); absent: no site takes Calendly webhooks (404). */
  calendlySigningKeys?: CalendlySigningKeys
  /** The built first-party tag served at `/tag.js`; absent: those routes answer 404. */
  tag?: TagScript
}

/** The collector: Segment-compatible JSON routes, analytics.js settings, the no-JS pixel and contact forms. */
export function createCollectHandler(deps: CollectHandlerDeps) {
  const formDeps = { ...deps, formRateLimiter: deps.formRateLimiter ?? inMemoryFormRateLimiter() }
  const collectRequest = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const { method } = event.requestContext.http
    const path = pathWithoutStage(event)
    if (method === 'GET' && path === PIXEL_PATH) return pixel(event)
    if (method === 'GET' && path === TAG_PATH) return tagScript(event, TAG_CACHE_CONTROL)
    const tagVersion = method === 'GET' ? tagVersionOf(path) : undefined
    if (tagVersion !== undefined) {
      if (tagVersion !== deps.tag?.version) throw new NotFoundError('tag version')
      return tagScript(event, VERSIONED_TAG_CACHE_CONTROL)
    }
    const settingsKey = method === 'GET' ? settingsWriteKeyOf(path) : undefined
    if (settingsKey !== undefined) return settings(event, settingsKey)
    if (method === 'GET' && path === RUDDERSTACK_SOURCE_CONFIG_PATH) return sourceConfig(event)
    const formId = method === 'POST' ? formIdOf(path) : undefined
    if (formId !== undefined) return form(event, formId)
    const calendlySiteId = method === 'POST' ? calendlySiteIdOf(path) : undefined
    if (calendlySiteId !== undefined) return calendly(event, calendlySiteId)
    const ingestRoute = method === 'POST' ? ingestRouteOf(path) : undefined
    if (!ingestRoute) throw new NotFoundError(`route ${method} ${path}`)
    const { cookies, ...result } = await collectJson(
      {
        ...requestFacts(event),
        route: ingestRoute,
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
        contentEncoding: event.headers?.['content-encoding'],
        queryWriteKey: event.queryStringParameters?.writeKey,
      },
      deps,
    )
    const answer = jsonResponse(200, { success: true, ...result })
    // API Gateway v2 sends each entry as its own Set-Cookie header.
    return cookies.length > 0 ? { ...answer, cookies } : answer
  }

  /**
   * A contact form: a plain HTML form (urlencoded, no `Accept: application/json`) is sent on to the
   * form's thank-you page with a 303; a script gets `{ accepted: true }`.
   */
  const form = async (event: APIGatewayProxyEventV2, encodedFormId: string): Promise<HttpResult> => {
    const formId = decodedSegment(encodedFormId)
    if (formId === undefined) throw new NotFoundError('form')
    const headers = event.headers ?? {}
    const result = await collectForm(
      {
        ...requestFacts(event),
        formId,
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
        contentEncoding: headers['content-encoding'],
        contentType: headers['content-type'],
        referer: headers.referer,
        queryWriteKey: event.queryStringParameters?.writeKey,
      },
      formDeps,
    )
    const wantsJson = (headers.accept ?? '').toLowerCase().includes('application/json')
    const plainForm = (headers['content-type'] ?? '')
      .toLowerCase()
      .startsWith('application/x-www-form-urlencoded')
    if (plainForm && !wantsJson && result.thankYouUrl !== undefined) {
      return { statusCode: 303, headers: { location: result.thankYouUrl }, body: '' }
    }
    return jsonResponse(200, { accepted: true })
  }

  /** A Calendly webhook delivery (vendors.md §5); only the signature header and the raw body are read. */
  const calendly = async (event: APIGatewayProxyEventV2, encodedSiteId: string): Promise<HttpResult> => {
    const answer = await receiveCalendlyWebhook(
      {
        siteId: decodedSegment(encodedSiteId) ?? '',
        signature: event.headers?.[SIGNATURE_HEADER],
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
      },
      deps,
    )
    return jsonResponse(200, answer)
  }

  /** The tag's bytes, or 304 when the browser's copy (its ETag) is still this build. */
  const tagScript = (event: APIGatewayProxyEventV2, cacheControl: string): HttpResult => {
    const { tag } = deps
    if (!tag) throw new NotFoundError('tag')
    const headers = { 'content-type': TAG_CONTENT_TYPE, 'cache-control': cacheControl, etag: tag.etag }
    const cached = (event.headers?.['if-none-match'] ?? '')
      .split(',')
      .some((etag) => etag.trim() === tag.etag)
    return cached ? { statusCode: 304, headers, body: '' } : { statusCode: 200, headers, body: tag.code }
  }

  /** Always answers the GIF: a pixel cannot show an error; problems are reported instead. */
  const pixel = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const request = {
      ...requestFacts(event),
      query: event.queryStringParameters ?? {},
      referer: event.headers?.referer,
    }
    await collectPixel(request, deps).catch((error: unknown) => {
      if (error instanceof ClientError && deps.reportPixelRefusal) deps.reportPixelRefusal(error)
      else deps.reportError(error)
    })
    return {
      statusCode: 200,
      headers: { 'content-type': 'image/gif' },
      body: PIXEL_GIF.toString('base64'),
      isBase64Encoded: true,
    }
  }

  /** analytics.js's source settings, pointing it at this endpoint (README: "analytics.js"). */
  const settings = (event: APIGatewayProxyEventV2, encodedWriteKey: string): HttpResult => {
    const writeKey = decodedSegment(encodedWriteKey)
    const body =
      writeKey === undefined
        ? null
        : segmentSettings(deps.config, {
            writeKey,
            host: event.requestContext.domainName,
            basePath: event.rawPath.slice(0, event.rawPath.length - pathWithoutStage(event).length),
            protocol: event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https',
          })
    // 404 rather than 401: the key is not a credential here, and the answer says only "no such source".
    if (!body) throw new NotFoundError('source settings')
    return jsonResponse(200, body, { 'cache-control': `public, max-age=${SETTINGS_MAX_AGE_SECONDS}` })
  }

  /**
   * RudderStack JS v3's source config. The SDK sends the key in the query and as Basic auth; the
   * query wins here so that a cache, which keys on the URL, can never hand one key's answer to another.
   */
  const sourceConfig = (event: APIGatewayProxyEventV2): HttpResult => {
    const writeKey =
      event.queryStringParameters?.writeKey ?? writeKeyFromAuthorization(event.headers?.authorization)
    const body = writeKey ? rudderstackSourceConfig(deps.config, writeKey) : null
    if (!body) throw new NotFoundError('source config')
    return jsonResponse(200, body, { 'cache-control': `public, max-age=${SETTINGS_MAX_AGE_SECONDS}` })
  }

  return (
    middy<APIGatewayProxyEventV2, HttpResult>()
      // The tag sends its events with credentials (the tw_id and tw_s cookies): every answer, refusals
      // included, lets a configured origin read it with credentials, as API Gateway does deployed.
      .use(apiResponseHeaders(deps.config, { credentials: true }))
      .use(httpErrors(deps.reportError))
      .handler(collectRequest)
  )
}

function requestFacts(event: APIGatewayProxyEventV2): CollectRequest {
  const headers = event.headers ?? {}
  return {
    headers: {
      authorization: headers.authorization,
      origin: headers.origin,
      userAgent: headers['user-agent'],
      gpc: headers['sec-gpc'],
      ...(event.cookies ? { cookies: event.cookies } : {}),
      ...(headers.cookie ? { cookie: headers.cookie } : {}),
    },
    network: {
      sourceIp: event.requestContext.http.sourceIp,
      forwardedFor: headers['x-forwarded-for'],
      viewerAddress: headers['cloudfront-viewer-address'],
    },
  }
}

/** rawPath carries the stage name unless the API serves the `$default` stage. */
function pathWithoutStage(event: APIGatewayProxyEventV2): string {
  const stagePrefix = `/${event.requestContext.stage}`
  const { rawPath } = event
  return rawPath.startsWith(`${stagePrefix}/`) ? rawPath.slice(stagePrefix.length) : rawPath
}

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}
