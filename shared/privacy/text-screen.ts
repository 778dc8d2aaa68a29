import { type FieldKind, type Ignoring, type Redaction, type ScreenOptions, screen } from './pii-policy.ts'
import { type PiiScanner, piiScanner } from './pii-scanner.ts'

/** The PII policy bound to one event: its visitor ids, its options, and the trace of what it removed. */
export interface TextScreen {
  /** The text fit to leave as a `kind` of `field`, or undefined when it must be left out. */
  keep(kind: FieldKind, field: string, text: string, ignoring?: Ignoring): string | undefined
  /** A key named like personal data was left out, whatever its value. */
  dropNamed(kind: FieldKind, field: string): void
  /** Adds entries found elsewhere (a memoised result computed for an earlier event). */
  record(redactions: ReadonlyArray<Redaction>): void
  readonly redactions: ReadonlyArray<Redaction>
  /** A screen like this one with an empty trace. */
  fresh(): TextScreen
}

/** `scanner` may be shared by the screens of one visitor's events (it remembers its finds). */
export function textScreen(
  visitorIds: ReadonlyArray<string | undefined>,
  options: ScreenOptions = {},
  scanner: PiiScanner = piiScanner(visitorIds),
): TextScreen {
  const redactions: Redaction[] = []
  return {
    keep(kind, field, text, ignoring) {
      const screened = screen(scanner, kind, field, text, options, ignoring)
      redactions.push(...screened.redactions)
      return screened.text
    },
    dropNamed(kind, field) {
      redactions.push({ field, kind, detector: 'key-name', action: 'removed' })
    },
    record(more) {
      redactions.push(...more)
    },
    redactions,
    fresh: () => textScreen(visitorIds, options, scanner),
  }
}
