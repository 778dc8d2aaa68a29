import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { Caller } from '#shared/config/sites.ts'
import { decodedBodyText } from '#shared/http/body.ts'
import { ClientError, NotFoundError, ValidationError } from '#shared/http/errors.ts'

export const MAX_CONSENT_BODY_BYTES = 4 * 1024

/**
 * The answer for a visitor id the caller has not proven to act for, the same whether or not the id
 * has a decision stored: status, body and headers (issue 10).
 */
export class UnknownVisitorError extends NotFoundError {
  override name = 'UnknownVisitorError'
  constructor() {
    super('consent')
  }
}

export class VisitorTokenRequiredError extends ClientError {
  override name = 'VisitorTokenRequiredError'
  constructor() {
    super(403, 'this visitor id needs its visitor token (cookie) or the server key', 'visitorToken')
  }
}

/**
 * A browser named a visitor id on a site whose browsers may act only for their own `tw_id` cookie
 * (`consent.browserIds: 'cookie-only'`): the same answer whether or not the id exists.
 */
export class BrowserIdRefusedError extends ClientError {
  override name = 'BrowserIdRefusedError'
  constructor() {
    super(403, "this site's browsers act only for the visitor of their own cookie; name no id", 'anonymousId')
  }
}

/** What the caller may do for one visitor id. */
export interface VisitorAccess {
  caller: Caller
  siteId: string
  anonymousId: string
  /** The token nonce of the decision in force (browser callers only; server callers leave it alone). */
  tokenNonce?: string
}

export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const text = decodedBodyText(
    {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentEncoding: event.headers?.['content-encoding'],
    },
    MAX_CONSENT_BODY_BYTES,
  )
  try {
    return JSON.parse(text)
  } catch {
    throw new ValidationError('body', 'must be valid JSON')
  }
}
