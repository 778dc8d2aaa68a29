import type { HttpSender } from '#shared/delivery/http.ts'
import type { Outbox } from './outbox.ts'

const DRY_RUN_STATUS = 204

/**
 * Dry run (the default): records each vendor request in the outbox and prints it, sends nothing.
 * With a real sender (TAGWARDEN_VENDOR_BASE_URL), records what was sent and the vendor's answer.
 */
export function recordingSender(
  outbox: Outbox,
  print: (line: string) => void,
  realSender?: HttpSender,
): HttpSender {
  return {
    async send(request, options) {
      if (!realSender) {
        const recorded = outbox.recordRequest(request, { sent: false })
        print(
          `[dry-run] ${recorded.vendor} ${recorded.method} ${recorded.url} (${request.messageIds.length} events)`,
        )
        print(`  ${JSON.stringify(recorded.body)}`)
        return { status: DRY_RUN_STATUS, headers: {}, body: '' }
      }
      const response = await realSender.send(request, options)
      const recorded = outbox.recordRequest(request, { sent: true, status: response.status })
      print(`[sent] ${recorded.vendor} ${recorded.method} ${recorded.url} → ${response.status}`)
      return response
    },
  }
}
