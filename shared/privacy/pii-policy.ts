import type { DetectorId } from './detectors/detection.ts'
import { MAX_INSPECTED_CHARS } from './detectors/detection.ts'
import { type Findings, MAX_SCANNED_CHARS, PII_MARKER, type PiiScanner, replaceSpans } from './pii-scanner.ts'

export { PII_MARKER } from './pii-scanner.ts'

/** Every kind of text that can leave the collector towards a vendor, a queue or a log line. */
export const FIELD_KINDS = [
  'eventName',
  'pathSegment',
  'queryKey',
  'queryValue',
  'fragment',
  'title',
  'campaign',
  'propertyKey',
  'propertyValue',
  'sessionId',
  'messageId',
] as const
export type FieldKind = (typeof FIELD_KINDS)[number]

/**
 * What happened to a field with a hit: `removed` (parameter, property, fragment or value left out),
 * `masked` (replaced by the marker), `truncated` (an IP address replaced by its truncated form),
 * `renamed` (an event name replaced by the neutral name).
 */
export type RedactionAction = 'removed' | 'masked' | 'truncated' | 'renamed'

/** One entry of the decision trace: where, found by what, what was done. Never the value itself. */
export interface Redaction {
  /** The event field (`event`, `context.page.url`, `properties.plan`); a key that itself hit is not named. */
  field: string
  kind: FieldKind
  detector: DetectorId
  action: RedactionAction
}

/** What an event whose name reveals personal data is called, unless the site configures another name. */
export const DEFAULT_NEUTRAL_EVENT_NAME = 'redacted_event'

/**
 * The action per field kind when a detector hits. An IP address is always replaced by its truncated
 * form where the text stays (a truncated address identifies no one); any other hit:
 * - an event name becomes the neutral name: the event is still delivered and counted, never lost;
 * - a path segment becomes the marker, so the page's shape stays readable (`/u/[redacted]/edit`);
 * - a title keeps its text with each hit replaced by the marker;
 * - everything else (query keys and values, campaign values, fragments, property keys and values,
 *   session ids) is removed whole: a parameter or property is not worth a guess at what is left;
 * - a message id is replaced (by the caller) with a fresh one, so the trace and queues never carry it.
 * A hit visible only after decoding cannot be cut out of the encoded text: the whole field gets the
 * kind's action (a title then becomes the marker).
 */
const ON_HIT: Record<FieldKind, 'rename' | 'mask' | 'maskSpans' | 'remove'> = {
  eventName: 'rename',
  pathSegment: 'mask',
  title: 'maskSpans',
  queryKey: 'remove',
  queryValue: 'remove',
  campaign: 'remove',
  fragment: 'remove',
  propertyKey: 'remove',
  propertyValue: 'remove',
  sessionId: 'remove',
  messageId: 'remove',
}

export interface Screened {
  /** The text fit to leave, or undefined when the field must be left out. */
  text: string | undefined
  redactions: Redaction[]
}

export interface ScreenOptions {
  neutralEventName?: string
}

/** Detectors whose finds do not count for one check (a path read whole is not one token). */
export type Ignoring = ReadonlySet<DetectorId>

/** Applies the policy of `kind` to one text of the event field `field`; kept text is cut to 4096 characters. */
export function screen(
  scanner: PiiScanner,
  kind: FieldKind,
  field: string,
  text: string,
  options: ScreenOptions = {},
  ignoring?: Ignoring,
): Screened {
  const findings = scanner.scan(text, ignoring)
  if (findings.spans.length === 0 && findings.hidden.length === 0)
    return { text: bounded(text), redactions: [] }
  const action = ON_HIT[kind]
  const onlyIps =
    findings.hidden.length === 0 && findings.spans.every((span) => span.replacement !== undefined)
  const redactions = (what: RedactionAction | ((detector: DetectorId) => RedactionAction)) =>
    hitDetectors(findings).map((detector) => ({
      field,
      kind,
      detector,
      action: typeof what === 'function' ? what(detector) : what,
    }))

  if (action === 'rename') {
    return { text: options.neutralEventName ?? DEFAULT_NEUTRAL_EVENT_NAME, redactions: redactions('renamed') }
  }
  if (onlyIps) {
    return { text: bounded(replaced(text, findings)), redactions: redactions('truncated') }
  }
  if (action === 'maskSpans' && findings.hidden.length === 0) {
    return {
      text: bounded(replaced(text, findings)),
      redactions: redactions((detector) => (detector === 'ip' ? 'truncated' : 'masked')),
    }
  }
  if (action === 'mask' || action === 'maskSpans')
    return { text: PII_MARKER, redactions: redactions('masked') }
  return { text: undefined, redactions: redactions('removed') }
}

/** The scanned prefix with its finds replaced (spans refer to that prefix). */
function replaced(text: string, findings: Findings): string {
  return replaceSpans(text.slice(0, MAX_SCANNED_CHARS), findings.spans, replacementOf)
}

/** Cut to MAX_INSPECTED_CHARS without leaving half of a surrogate pair. */
function bounded(text: string): string {
  if (text.length <= MAX_INSPECTED_CHARS) return text
  const cut = text.slice(0, MAX_INSPECTED_CHARS)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

function replacementOf(span: { replacement?: string }): string {
  return span.replacement ?? PII_MARKER
}

function hitDetectors(findings: Findings): DetectorId[] {
  return [...new Set([...findings.spans.map((span) => span.detector), ...findings.hidden])]
}
