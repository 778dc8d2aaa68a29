import type { VendorId } from '#shared/vendors/index.ts'

/** One HTTP request to a vendor API, built by a pure vendor mapper. */
export interface VendorRequest {
  vendor: VendorId
  method: 'POST'
  url: string
  headers: Record<string, string>
  body: string
  /** The events this request carries, so a failure can be mapped back to queue records. */
  messageIds: string[]
}

export interface VendorResponse {
  status: number
  /** Header names in lower case, as fetch gives them. */
  headers: Record<string, string>
  /** The start of the body, enough to explain an error. */
  body: string
}

/** Sends vendor requests (fetch in AWS; a dry-run recorder or fetch locally). */
export interface HttpSender {
  /** Resolves with the response; rejects on network error or when `timeoutMs` passes. */
  send(request: VendorRequest, options: { timeoutMs: number }): Promise<VendorResponse>
}
