import type { Detection, Detector } from './detection.ts'

/** Shorter ids (`1`, `42`) would match ordinary text everywhere; ids this short are not looked for. */
export const MIN_VISITOR_ID_CHARS = 6

/**
 * The request's own visitor ids (`anonymousId`, `userId`) anywhere in text, ASCII letters compared
 * case-insensitively (a UUID may be written in either case). One `indexOf` pass per id: the ids are
 * bounded by the event schema, so the cost stays linear in the text.
 */
export function visitorIdDetector(ids: ReadonlyArray<string | undefined>): Detector {
  const needles = [
    ...new Set(ids.flatMap((id) => (id && id.length >= MIN_VISITOR_ID_CHARS ? [foldAscii(id)] : []))),
  ]
  if (needles.length === 0) return () => []
  return (text) => {
    const haystack = foldAscii(text)
    const found: Detection[] = []
    for (const needle of needles) {
      for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
        found.push({ detector: 'visitor-id', start: at, end: at + needle.length })
      }
    }
    return found.sort((a, b) => a.start - b.start)
  }
}

/** Lower-cases ASCII letters only, so every index in the result is the same index in the input. */
function foldAscii(text: string): string {
  let capitals = false
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    // Beyond ASCII, toLowerCase can change the length (`İ` becomes two code units): fold letter runs only.
    if (code > 0x7f) return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
    if (code >= 0x41 && code <= 0x5a) capitals = true
  }
  return capitals ? text.toLowerCase() : text
}
