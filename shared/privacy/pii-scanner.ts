import { findCards, MIN_CARD_DIGITS } from './detectors/card.ts'
import {
  type Detection,
  type Detector,
  type DetectorId,
  isAsciiDigit,
  MAX_DATUM_CHARS,
  MAX_INSPECTED_CHARS,
} from './detectors/detection.ts'
import { findEmails } from './detectors/email.ts'
import { findIbans, MIN_IBAN_CHARS } from './detectors/iban.ts'
import { findIpAddresses } from './detectors/ip-in-text.ts'
import { findPhones, MIN_PHONE_DIGITS } from './detectors/phone.ts'
import { findTokens } from './detectors/token.ts'
import { visitorIdDetector } from './detectors/visitor-id.ts'
import { decodePercent } from './pii.ts'

/** `%252540` is `@` encoded three times; deeper encodings are not read (nor are they by any browser). */
const MAX_DECODING_DEPTH = 3
/** The shortest personal datum any detector knows (`a@b.co`, a 6-character visitor id) is 6 characters. */
const MIN_REVEALING_CHARS = 6
const NON_ASCII = /[^\u0020-\u007e]/

/** The most a scan reads: what may leave, and enough beyond it to see a datum the cut would split. */
export const MAX_SCANNED_CHARS = MAX_INSPECTED_CHARS + MAX_DATUM_CHARS

/** What stands in place of a find in text that is kept (a title, a path segment). */
export const PII_MARKER = '[redacted]'

export interface Findings {
  /** What the detectors found in the text as written, in order, overlaps merged. */
  spans: Detection[]
  /**
   * Detectors that found something in a decoded form (percent-decoding up to three levels, `+` as space,
   * Unicode NFKC) of the text with its `spans` replaced. Such a hit cannot be cut out of the encoded text:
   * the field's action applies.
   */
  hidden: DetectorId[]
}

export interface PiiScanner {
  /**
   * Reads at most MAX_SCANNED_CHARS of the text (spans refer to that prefix); callers cut what is kept. Finds of the `ignoring`
   * detectors are left out before overlapping finds merge, so they cannot hide another detector's find.
   */
  scan(text: string, ignoring?: ReadonlySet<DetectorId>): Findings
}

/** A JWT (`eyJ` + 5 + `.` + 5 + `.`) is the shortest token the token detector knows: 15 characters. */
const MIN_TOKEN_CHARS = 15
/** An IBAN has two check digits; a phone and a card need more (their detectors' minimums). */
const MIN_IBAN_DIGITS = 2

/** Which detectors can find anything in the text, from cheap looks at it (one pass counting digits). */
function applicable(text: string): Detector[] {
  const detectors: Detector[] = []
  if (text.includes('@') || text.includes('\uff20') || text.includes('\ufe6b')) detectors.push(findEmails)
  const digits = asciiDigits(text)
  if (digits > 0) detectors.push(findIpAddresses)
  if (digits >= MIN_CARD_DIGITS) detectors.push(findCards)
  if (digits >= MIN_IBAN_DIGITS && text.length >= MIN_IBAN_CHARS) detectors.push(findIbans)
  if (digits >= MIN_PHONE_DIGITS) detectors.push(findPhones)
  if (text.length >= MIN_TOKEN_CHARS) detectors.push(findTokens)
  return detectors
}

function asciiDigits(text: string): number {
  let digits = 0
  for (let index = 0; index < text.length; index++) if (isAsciiDigit(text.charCodeAt(index))) digits++
  return digits
}

/** What the detectors other than the visitor's own ids find in one text; the same for every visitor. */
interface SharedFindings {
  spans: Detection[]
  /** The decoded forms of the text with `spans` replaced, each with the detectors that hit in it, in order. */
  forms: Array<{ form: string; detectors: DetectorId[] }>
}

/**
 * Scanners for the visitors of one request. What the detectors find without the visitor's ids is read
 * once per text for the whole request, since every visitor's events repeat the same titles, URLs and
 * names; each visitor's own ids are still looked for in every text and every decoded form of it.
 */
export interface PiiScanners {
  forVisitor(visitorIds: ReadonlyArray<string | undefined>): PiiScanner
}

export function piiScanners(): PiiScanners {
  const shared = new Map<string, SharedFindings>()
  const byVisitor = new Map<string, PiiScanner>()
  const sharedFindings = (bounded: string, key: string, ignoring: ReadonlySet<DetectorId> | undefined) => {
    const known = shared.get(key)
    if (known) return known
    const spans = mergeOverlaps(withoutIgnored(detectShared(bounded), ignoring))
    const rest = replaceSpans(bounded, spans, (span) => span.replacement ?? PII_MARKER)
    const forms = decodedForms(rest).map((form) => ({
      form,
      detectors: withoutIgnored(detectShared(form), ignoring).map(({ detector }) => detector),
    }))
    const findings = { spans, forms }
    shared.set(key, findings)
    return findings
  }
  return {
    forVisitor(visitorIds) {
      const visitorKey = JSON.stringify(visitorIds)
      const known = byVisitor.get(visitorKey)
      if (known) return known
      const scanner = visitorScanner(visitorIds, sharedFindings)
      byVisitor.set(visitorKey, scanner)
      return scanner
    },
  }
}

/** A scanner for one visitor with nothing shared: every detector, plus the visitor's own ids. */
export function piiScanner(visitorIds: ReadonlyArray<string | undefined>): PiiScanner {
  return piiScanners().forVisitor(visitorIds)
}

type SharedLookup = (
  bounded: string,
  key: string,
  ignoring: ReadonlySet<DetectorId> | undefined,
) => SharedFindings

/**
 * One visitor's scanner. It remembers what it found per text, because a batch repeats its texts (event
 * names, titles, URLs) event after event; it lives for one request.
 */
function visitorScanner(
  visitorIds: ReadonlyArray<string | undefined>,
  sharedFindings: SharedLookup,
): PiiScanner {
  const ownIds = visitorIdDetector(visitorIds)
  const ownIn = (text: string, ignoring: ReadonlySet<DetectorId> | undefined) =>
    text.length < MIN_REVEALING_CHARS ? [] : withoutIgnored(ownIds(text), ignoring)
  const detect = (text: string, ignoring: ReadonlySet<DetectorId> | undefined): Detection[] => {
    const found = ownIn(text, ignoring)
    found.push(...withoutIgnored(detectShared(text), ignoring))
    return found
  }
  const seen = new Map<string, Findings>()
  return {
    scan(text, ignoring) {
      const key = ignoring ? `${ignoringKey(ignoring)}\u0000${text}` : text
      const known = seen.get(key)
      if (known) return known
      const bounded = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text
      const findings =
        ownIn(bounded, ignoring).length === 0
          ? withOwnIdsInForms(
              sharedFindings(bounded, key, ignoring),
              (form) => ownIn(form, ignoring).length > 0,
            )
          : scanned(bounded, (form) => detect(form, ignoring))
      seen.set(key, findings)
      return findings
    },
  }
}

/** The text holds none of the visitor's ids: its finds are the shared ones, plus the ids in decoded forms. */
function withOwnIdsInForms(shared: SharedFindings, holdsOwnId: (form: string) => boolean): Findings {
  const hidden = new Set<DetectorId>()
  for (const { form, detectors } of shared.forms) {
    if (holdsOwnId(form)) hidden.add('visitor-id')
    for (const detector of detectors) hidden.add(detector)
  }
  return { spans: shared.spans, hidden: [...hidden] }
}

function scanned(bounded: string, detect: (text: string) => Detection[]): Findings {
  const spans = mergeOverlaps(detect(bounded))
  // What leaves is the text with its finds replaced: that is what must not reveal anything once decoded.
  const rest = replaceSpans(bounded, spans, (span) => span.replacement ?? PII_MARKER)
  const hidden = new Set<DetectorId>()
  for (const form of decodedForms(rest)) {
    for (const { detector } of detect(form)) hidden.add(detector)
  }
  return { spans, hidden: [...hidden] }
}

/** The callers' sets are constants: each is spelled out once. */
const ignoringKeys = new WeakMap<ReadonlySet<DetectorId>, string>()

function ignoringKey(ignoring: ReadonlySet<DetectorId>): string {
  const known = ignoringKeys.get(ignoring)
  if (known !== undefined) return known
  const key = [...ignoring].join(',')
  ignoringKeys.set(ignoring, key)
  return key
}

/** Every detector but the visitor's own ids. */
function detectShared(text: string): Detection[] {
  if (text.length < MIN_REVEALING_CHARS) return []
  const found: Detection[] = []
  for (const detector of applicable(text)) found.push(...detector(text))
  return found
}

function withoutIgnored(found: Detection[], ignoring: ReadonlySet<DetectorId> | undefined): Detection[] {
  return ignoring ? found.filter((detection) => !ignoring.has(detection.detector)) : found
}

/** Overlapping detections become one; it keeps a replacement only when every part had the same one. */
function mergeOverlaps(detections: Detection[]): Detection[] {
  const sorted = detections.sort((a, b) => a.start - b.start || b.end - a.end)
  const merged: Detection[] = []
  for (const detection of sorted) {
    const last = merged.at(-1)
    if (!last || detection.start >= last.end) {
      merged.push({ ...detection })
      continue
    }
    if (detection.end > last.end || detection.replacement !== last.replacement) {
      const detector = last.detector === 'ip' ? detection.detector : last.detector
      merged[merged.length - 1] = { detector, start: last.start, end: Math.max(last.end, detection.end) }
    }
  }
  return merged
}

/** The text with each span replaced by what `replacement` gives for it; built in one pass. */
export function replaceSpans(
  text: string,
  spans: ReadonlyArray<Detection>,
  replacement: (span: Detection) => string,
): string {
  if (spans.length === 0) return text
  const pieces: string[] = []
  let kept = 0
  for (const span of spans) {
    pieces.push(text.slice(kept, span.start), replacement(span))
    kept = span.end
  }
  pieces.push(text.slice(kept))
  return pieces.join('')
}

/** The other ways a reader could decode the text; the text itself is not among them. */
function decodedForms(text: string): string[] {
  const encoded = text.includes('%') || text.includes('+')
  if (!encoded && !NON_ASCII.test(text)) return []
  const forms = new Set<string>()
  if (encoded) {
    const starts = text.includes('+') ? [text, text.replaceAll('+', ' ')] : [text]
    for (const start of starts) {
      forms.add(start)
      let current = start
      for (let depth = 0; depth < MAX_DECODING_DEPTH && current.includes('%'); depth++) {
        const decoded = decodePercent(current)
        if (decoded === current) break
        forms.add(decoded)
        current = decoded
      }
    }
  }
  for (const form of [...forms, text]) {
    if (NON_ASCII.test(form)) forms.add(form.normalize('NFKC'))
  }
  forms.delete(text)
  return [...forms]
}
