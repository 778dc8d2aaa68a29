import { defaultProvider } from '@aws-sdk/credential-provider-node'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import { signingRegion } from './region.ts'
import { Sha256 } from './sha256.ts'

/** A request about to go to the admin API, before authentication. */
export interface OutgoingRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body?: string
}

/** Adds the credentials the admin API asks for: the local bearer token, or a SigV4 signature. */
export type Authenticate = (request: OutgoingRequest) => Promise<OutgoingRequest>

export class UsageError extends Error {
  override name = 'UsageError'
}

export function bearerAuth(token: string): Authenticate {
  return async (request) => ({
    ...request,
    headers: { ...request.headers, authorization: `Bearer ${token}` },
  })
}

/**
 * SigV4 for API Gateway (`execute-api`), with the operator's credentials from the standard chain
 * (`defaultProvider` is the Node chain; `fromNodeProviderChain` lives in @aws-sdk/credential-providers).
 */
export function sigV4Auth(
  region: string,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider = defaultProvider(),
): Authenticate {
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 })
  return async (request) => {
    const query: Record<string, string> = {}
    for (const [key, value] of request.url.searchParams) query[key] = value
    const signed = await signer.sign({
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port === '' ? undefined : Number(request.url.port),
      path: request.url.pathname,
      query,
      headers: { ...request.headers, host: request.url.host },
      body: request.body,
    })
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') headers[name] = value
    return { ...request, headers }
  }
}

/** `--token` (or TAGWARDEN_ADMIN_TOKEN) means the local system; otherwise sign as AWS would have us. */
export function chooseAuth(url: URL, token: string | undefined, env: NodeJS.ProcessEnv): Authenticate {
  if (token) return bearerAuth(token)
  const region = signingRegion(url, env)
  if (region === undefined) {
    throw new UsageError('no region to sign for: the URL names none; set AWS_REGION or pass --token')
  }
  return sigV4Auth(region)
}
