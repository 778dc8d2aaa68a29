import type { VendorRequest } from '#shared/delivery/http.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import type { CapturedRequest } from './capture-server.ts'

/** A request a vendor stand-in captured, as the VendorRequest a validator judges (its URL made absolute). */
export function capturedAsVendorRequest(
  request: CapturedRequest,
  origin: string,
  vendor: VendorId,
  messageIds: string[] = [],
): VendorRequest {
  return {
    vendor,
    method: 'POST',
    url: `${origin}${request.url}`,
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
    ),
    body: request.body,
    messageIds,
  }
}
