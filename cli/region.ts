/** `<api id>.execute-api.<region>.amazonaws.com`: the region is in the host name. */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/

/** The region to sign for: the admin API's own host name tells it, else the standard environment variables. */
export function signingRegion(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const fromHost = EXECUTE_API_HOST.exec(url.hostname)?.[1]
  return fromHost ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined)
}
