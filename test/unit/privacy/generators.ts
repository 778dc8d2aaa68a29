import fc from 'fast-check'

/** Lower-case words and spaces: prose that by itself holds no e-mail, phone or token. */
export const prose = fc
  .array(fc.stringMatching(/^[a-z]{1,10}[,.!?]?$/), { maxLength: 8 })
  .map((words) => words.join(' '))

const digitString = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`))

/** Phone numbers as people write them: international, national with trunk 0, US style, bare with 0. */
export const phoneNumber = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 999 }), digitString(2, 4), digitString(4, 8))
    .map(([country, area, subscriber]) => `+${country} ${area} ${subscriber}`),
  fc.tuple(digitString(2, 4), digitString(5, 8)).map(([area, subscriber]) => `0${area} ${subscriber}`),
  fc.tuple(digitString(2, 4), digitString(5, 8)).map(([area, subscriber]) => `(0${area}) ${subscriber}`),
  fc.tuple(digitString(2, 4), digitString(5, 8)).map(([area, subscriber]) => `0${area}-${subscriber}`),
  fc
    .tuple(fc.integer({ min: 200, max: 999 }), digitString(3, 3), digitString(4, 4))
    .map(([area, exchange, line]) => `${area}-${exchange}-${line}`),
  digitString(8, 12).map((digits) => `0${digits}`),
)

export function digitsOf(text: string): string {
  return text.replace(/\D/g, '')
}

/**
 * Every way a reader could decode the text: as written, with `+` as space, and percent-decoded as deep as
 * it goes. Written independently of the code under test.
 */
export function readableForms(text: string): string[] {
  const forms = [text]
  for (let current = text; ; ) {
    const decoded = decodeLeniently(current)
    if (decoded === current) break
    forms.push(decoded)
    current = decoded
  }
  return [...forms, ...forms.map((form) => form.replaceAll('+', ' '))]
}

function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text.replace(/%[0-9a-f]{2}/gi, (sequence) => {
      try {
        return decodeURIComponent(sequence)
      } catch {
        return sequence
      }
    })
  }
}

export function revealsEmail(output: string | undefined, email: string): boolean {
  if (output === undefined) return false
  const needle = email.toLowerCase()
  return readableForms(output).some((form) => form.toLowerCase().includes(needle))
}

export function revealsPhone(output: string | undefined, phone: string): boolean {
  if (output === undefined) return false
  return readableForms(output).some((form) => digitsOf(form).includes(digitsOf(phone)))
}
