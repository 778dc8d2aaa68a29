import { MAX_VISITORS_PER_REQUEST } from '#shared/events/limits.ts'
import type { IncomingEvent } from '#shared/events/schema.ts'
import { ValidationError } from '#shared/http/errors.ts'

/**
 * Refuses a request whose events belong to more than MAX_VISITORS_PER_REQUEST visitors: each visitor
 * costs a consent read, so without a bound one request could ask for thousands.
 */
export function assertVisitorLimit(events: ReadonlyArray<IncomingEvent>): void {
  const visitors = new Set<string>()
  for (const event of events) {
    const visitor = event.anonymousId ?? event.userId
    if (visitor !== undefined) visitors.add(visitor)
    if (visitors.size > MAX_VISITORS_PER_REQUEST) {
      throw new ValidationError(
        'batch',
        `holds events of more than ${MAX_VISITORS_PER_REQUEST} visitors; send at most ${MAX_VISITORS_PER_REQUEST} visitors' events per request`,
      )
    }
  }
}
