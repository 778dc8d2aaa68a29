import type { CollectedEvent } from '#shared/events/model.ts'
import { pathMatches } from './path-pattern.ts'
import type { LinkedinConversionRule } from './settings.ts'

/**
 * The first rule this event counts for, or undefined. A rule with `event` takes track events of that
 * name (on its `pagePath` pages when it has one); a rule with only `pagePath` takes page views there.
 */
export function matchingRule(
  event: CollectedEvent,
  rules: ReadonlyArray<LinkedinConversionRule>,
): LinkedinConversionRule | undefined {
  const path = pagePath(event.page)
  return rules.find((rule) => {
    if (event.type === 'track' ? rule.event !== event.name : rule.event !== undefined) return false
    if (rule.pagePath === undefined) return rule.event !== undefined
    return path !== null && pathMatches(rule.pagePath, path)
  })
}

/** The page's path: the collector's scrubbed `path`, else that of its URL. */
function pagePath(page: CollectedEvent['page']): string | null {
  if (page.path?.startsWith('/')) return page.path
  if (page.url === undefined || !URL.canParse(page.url)) return null
  return new URL(page.url).pathname
}
