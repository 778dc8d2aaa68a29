import { decodedBodyText, type EncodedBody } from '#shared/http/body.ts'
import { ClientError, ValidationError } from '#shared/http/errors.ts'

/** A contact form's whole body, after base64 and Content-Encoding are undone. */
export const MAX_FORM_BODY_BYTES = 64 * 1024
/** Name/value pairs in one form body (a repeated name counts once per value). */
export const MAX_FORM_ENTRIES = 100
/** Characters of a field name quoted back in an error. */
const MAX_QUOTED_NAME_CHARS = 40

export type FormEncoding = 'json' | 'urlencoded'

/** Every name the visitor sent with its values, in order; values are text as typed. */
export type FormEntries = ReadonlyMap<string, ReadonlyArray<string>>

export class UnsupportedFormTypeError extends ClientError {
  override name = 'UnsupportedFormTypeError'
  constructor() {
    super(415, 'send the form as application/x-www-form-urlencoded or application/json', 'content-type')
  }
}

/** Which of the two accepted media types a `Content-Type` header names; anything else is a 415. */
export function formEncodingOf(contentType: string | undefined): FormEncoding {
  const type = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase()
  if (type === 'application/json') return 'json'
  if (type === 'application/x-www-form-urlencoded') return 'urlencoded'
  throw new UnsupportedFormTypeError()
}

/**
 * The entries of a form body: urlencoded as a browser posts a plain `<form>`, or a JSON object whose
 * values are text, numbers, booleans or arrays of those (a script's checkboxes). Bounded in bytes and
 * entries; throws ValidationError (400) naming what is wrong.
 */
export function parseFormBody(request: EncodedBody, encoding: FormEncoding): FormEntries {
  const text = decodedBodyText(request, MAX_FORM_BODY_BYTES)
  const pairs = encoding === 'urlencoded' ? [...new URLSearchParams(text)] : jsonPairs(text)
  if (pairs.length > MAX_FORM_ENTRIES) {
    throw new ValidationError('body', `holds more than ${MAX_FORM_ENTRIES} form entries`)
  }
  const entries = new Map<string, string[]>()
  for (const [name, value] of pairs) {
    const values = entries.get(name) ?? []
    values.push(value)
    entries.set(name, values)
  }
  return entries
}

function jsonPairs(text: string): Array<[string, string]> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new ValidationError('body', 'request body is not valid JSON')
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError('body', 'must be a JSON object of form fields')
  }
  const pairs: Array<[string, string]> = []
  for (const [name, value] of Object.entries(json)) {
    const values: unknown[] = Array.isArray(value) ? value : [value]
    for (const item of values) {
      const itemText = scalarText(item)
      if (itemText === null) {
        throw new ValidationError(quotedName(name), 'must be text, a number, a boolean or a list of those')
      }
      pairs.push([name, itemText])
    }
  }
  return pairs
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'true' : ''
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}

/** A field name the visitor chose, fit to be quoted in an error: cut, without control characters. */
export function quotedName(name: string): string {
  return name.slice(0, MAX_QUOTED_NAME_CHARS).replace(/\p{Cc}/gu, '')
}
