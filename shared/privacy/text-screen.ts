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
  return new EventScreen(visitorIds, options, scanner)
}

/** A class, not an object of closures: one is made per event, and its methods are shared. */
class EventScreen implements TextScreen {
  readonly redactions: Redaction[] = []

  constructor(
    private readonly visitorIds: ReadonlyArray<string | undefined>,
    private readonly options: ScreenOptions,
    private readonly scanner: PiiScanner,
  ) {}

  keep(kind: FieldKind, field: string, text: string, ignoring?: Ignoring): string | undefined {
    const screened = screen(this.scanner, kind, field, text, this.options, ignoring)
    if (screened.redactions.length > 0) this.redactions.push(...screened.redactions)
    return screened.text
  }

  dropNamed(kind: FieldKind, field: string): void {
    this.redactions.push({ field, kind, detector: 'key-name', action: 'removed' })
  }

  record(more: ReadonlyArray<Redaction>): void {
    if (more.length > 0) this.redactions.push(...more)
  }

  fresh(): TextScreen {
    return new EventScreen(this.visitorIds, this.options, this.scanner)
  }
}
