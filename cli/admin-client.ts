import type * as z from 'zod/mini'
import { errorAnswer } from './answers.ts'
import type { Authenticate } from './auth.ts'

/** The admin API said no (4xx/5xx), or its answer was not what the contract promises. */
export class AdminRefusedError extends Error {
  override name = 'AdminRefusedError'
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message)
  }
}

export interface RawAnswer {
  status: number
  contentType: string
  body: string
}

export interface AdminClient {
  /** One authenticated call; the answer as it came (for the page's proxy). */
  send(method: string, pathAndQuery: string, body?: string): Promise<RawAnswer>
  /** One authenticated JSON call, its answer parsed by `schema`; a refusal throws AdminRefusedError. */
  call<T>(schema: z.ZodMiniType<T>, method: string, pathAndQuery: string, body?: unknown): Promise<T>
}

export function adminClient(baseUrl: URL, authenticate: Authenticate): AdminClient {
  const send: AdminClient['send'] = async (method, pathAndQuery, body) => {
    // A stage path in the API's URL (`…/prod`) stays in front of every route.
    const url = new URL(`${baseUrl.pathname.replace(/\/$/, '')}${pathAndQuery}`, baseUrl)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const request = await authenticate({ method, url, headers, body })
    const response = await fetch(request.url, { method, headers: request.headers, body: request.body })
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? 'application/json',
      body: await response.text(),
    }
  }

  return {
    send,
    async call(schema, method, pathAndQuery, body) {
      const answer = await send(method, pathAndQuery, body === undefined ? undefined : JSON.stringify(body))
      const json = parseJson(answer.body)
      if (answer.status >= 400) {
        const refusal = errorAnswer.safeParse(json)
        if (refusal.success)
          throw new AdminRefusedError(refusal.data.error, answer.status, refusal.data.field)
        throw new AdminRefusedError(`the admin API answered ${answer.status}`, answer.status)
      }
      const parsed = schema.safeParse(json)
      if (!parsed.success) {
        throw new AdminRefusedError(`unexpected answer from ${method} ${pathAndQuery}`, answer.status)
      }
      return parsed.data
    },
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
