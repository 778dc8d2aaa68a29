import type { HttpSender } from '#shared/delivery/http.ts'

/** Enough of a vendor's answer to explain an error; the rest is not read. */
export const MAX_RESPONSE_BODY_BYTES = 4 * 1024

/** Sends vendor requests with the global fetch; the timeout covers connecting, the answer and its body. */
export function fetchSender(): HttpSender {
  return {
    async send(request, { timeoutMs }) {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect means a wrong base URL: surface its status (parked as a reject) rather than follow it.
        redirect: 'manual',
      })
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: await readPrefix(response, MAX_RESPONSE_BODY_BYTES),
      }
    },
  }
}

/** The first `maxBytes` of the body as text; the rest of the stream is cancelled. */
async function readPrefix(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let bytes = 0
  try {
    while (bytes < maxBytes) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      bytes += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8')
}
