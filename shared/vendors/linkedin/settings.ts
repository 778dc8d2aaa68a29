import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'
import { vendorSettingsSchema } from '../contract.ts'
import type { Transfer } from '../transfer.ts'
import { LINKEDIN_MAX_EVENT_NAME_CHARS, LINKEDIN_MAX_RULES } from './limits.ts'
import { pathPatternProblem } from './path-pattern.ts'
import { CONVERSION_URN } from './payload.ts'

/**
 * `LinkedIn-Version` used when the admin names none. LinkedIn supports a monthly version for about a
 * year and answers 426 once it is sunset (vendors.md §3.1): move this on, or set `linkedin.version`.
 */
export const LINKEDIN_DEFAULT_VERSION = '202606'
const VERSION_FORMAT = /^20\d{2}(?:0[1-9]|1[0-2])$/
const DEFAULT_TIMEOUT_MS = 5000

const rule = z
  .strictObject({
    conversion: z
      .string()
      .check(
        z.regex(CONVERSION_URN, 'must be a conversion rule URN: urn:lla:llaPartnerConversion:<id>'),
        z.describe('The Conversions API rule (conversionMethod CONVERSIONS_API) the event counts for.'),
      ),
    event: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(LINKEDIN_MAX_EVENT_NAME_CHARS),
          z.describe('A track event name, exactly as the site sends it.'),
        ),
    ),
    pagePath: z.optional(
      z.string().check(
        z.refine((pattern) => pathPatternProblem(pattern) === null, {
          error: (issue) => `pagePath ${pathPatternProblem(String(issue.input)) ?? 'is malformed'}`,
        }),
        z.describe(
          'A page path pattern: literal segments, * for one segment, ** at the end for any rest (`/checkout/*/done`, `/pricing/**`). Alone it counts page views there; with `event`, that track event only on those pages.',
        ),
      ),
    ),
  })
  .check(
    z.refine((value) => value.event !== undefined || value.pagePath !== undefined, {
      error: 'a rule needs an event, a pagePath or both',
    }),
  )

/**
 * The recipient's country and the safeguard assumed until an admin says otherwise (docs/deploy.md):
 * LinkedIn Ireland contracts, LinkedIn Corporation (US, Data Privacy Framework) processes.
 */
export const LINKEDIN_RECIPIENT: Transfer = { country: 'US', safeguard: 'dpf' }

export const linkedinSettingsSchema = vendorSettingsSchema(
  {
    version: z._default(
      z
        .string()
        .check(
          z.regex(VERSION_FORMAT, 'must be a LinkedIn API version YYYYMM such as 202606'),
          z.describe('LinkedIn-Version header (YYYYMM); a version LinkedIn has sunset is answered with 426.'),
        ),
      LINKEDIN_DEFAULT_VERSION,
    ),
    conversions: z._default(
      z
        .array(rule)
        .check(
          z.maxLength(LINKEDIN_MAX_RULES),
          z.describe(
            'Which events are LinkedIn conversions, first match wins; an event no rule matches is not sent.',
          ),
        ),
      [],
    ),
  },
  { timeoutMs: DEFAULT_TIMEOUT_MS, transfer: LINKEDIN_RECIPIENT },
)

export type LinkedinSettings = z.infer<typeof linkedinSettingsSchema>
export type LinkedinConversionRule = LinkedinSettings['conversions'][number]
