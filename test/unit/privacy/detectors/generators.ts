import fc from 'fast-check'

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`))
const nonZero = fc.integer({ min: 1, max: 9 }).map(String)

/** Luhn check digit for a number written without it (computed here, independently of the detector). */
function luhnCheckDigit(body: string): string {
  let sum = 0
  for (let index = 0; index < body.length; index++) {
    let value = Number(body[body.length - 1 - index])
    if (index % 2 === 0) value *= 2
    sum += value > 9 ? value - 9 : value
  }
  return String((10 - (sum % 10)) % 10)
}

/** A Luhn-valid card number of 13–19 digits from a payment network's range (first digit 2–6). */
export const cardNumber = fc
  .tuple(fc.integer({ min: 2, max: 6 }), digits(11, 17))
  .map(([first, rest]) => `${first}${rest}`)
  .map((body) => `${body}${luhnCheckDigit(body)}`)

export const cardWritten = fc
  .tuple(cardNumber, fc.constantFrom('', ' ', '-'))
  .map(([number, separator]) => number.replace(/(\d{4})(?=\d)/g, `$1${separator}`))

/** A valid IBAN for a country with the given BBAN length, check digits computed here with BigInt. */
function ibanOf(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`]
    .map((char) => (/\d/.test(char) ? char : String(char.charCodeAt(0) - 55)))
    .join('')
  const check = 98n - (BigInt(numeric) % 97n)
  return `${country}${String(check).padStart(2, '0')}${bban}`
}

const BBAN_LENGTH: Record<string, number> = { DE: 18, AT: 16, CH: 17, FR: 23, NL: 14, BE: 12, ES: 20, NO: 11 }

export const iban = fc
  .constantFrom(...Object.keys(BBAN_LENGTH))
  .chain((country) =>
    fc.stringMatching(new RegExp(`^[0-9A-Z]{${BBAN_LENGTH[country]}}$`)).map((bban) => ibanOf(country, bban)),
  )

export const ibanWritten = fc
  .tuple(iban, fc.boolean())
  .map(([number, grouped]) => (grouped ? number.replace(/(.{4})(?=.)/g, '$1 ') : number))

/** Phone numbers in E.164 and the national formats of DE, AT, CH, FR, UK and US. */
export const phoneNumber = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1, max: 99 }),
      digits(2, 4),
      digits(5, 8),
      fc.constantFrom(' ', '-', '/', '.', ''),
    )
    .map(([country, area, subscriber, separator]) => `+${country} ${area}${separator}${subscriber}`),
  fc
    .tuple(nonZero, digits(1, 3), digits(5, 8), fc.constantFrom(' ', '-', '/', ' / ', '.'))
    .map(([first, area, subscriber, separator]) => `0${first}${area}${separator}${subscriber}`),
  fc
    .tuple(nonZero, digits(1, 3), digits(5, 8))
    .map(([first, area, subscriber]) => `(0${first}${area}) ${subscriber}`),
  fc
    .tuple(
      fc.integer({ min: 2, max: 9 }),
      digits(2, 2),
      digits(3, 3),
      digits(4, 4),
      fc.constantFrom('-', '.', ' '),
    )
    .map(([a, b, exchange, line, separator]) => `(${a}${b}) ${exchange}${separator}${line}`),
  fc
    .tuple(nonZero, fc.array(digits(2, 2), { minLength: 4, maxLength: 4 }), fc.constantFrom(' ', '.', '-'))
    .map(([first, pairs, separator]) => `0${first}${separator}${pairs.join(separator)}`),
)

/** Numbers that must not read as phones: prices, years, dates, short ids. */
export const ordinaryNumber = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 99_999 }), digits(2, 2)).map(([units, cents]) => `${units}.${cents}`),
  fc.integer({ min: 1900, max: 2099 }).map(String),
  fc
    .tuple(
      fc.integer({ min: 1900, max: 2099 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
    )
    .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc
    .tuple(
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1900, max: 2099 }),
    )
    .map(([d, m, y]) => `${d}.${m}.${y}`),
  fc.integer({ min: 1, max: 999_999 }).map(String),
  fc
    .tuple(fc.integer({ min: 1900, max: 2099 }), fc.integer({ min: 1900, max: 2099 }))
    .map(([a, b]) => `${a}-${b}`),
)

/** E-mail addresses, also with Unicode and punycode domains. */
export const emailAddress = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}[a-z0-9]$/),
      fc.constantFrom('bücher', 'пример', 'xn--bcher-kva', 'example', 'müller-shop'),
      fc.constantFrom('de', 'org', 'рф', 'xn--p1ai'),
    )
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
)

/** Text that of itself holds nothing personal: lower-case words. */
export const prose = fc
  .array(fc.stringMatching(/^[a-z]{1,10}$/), { maxLength: 6 })
  .map((words) => words.join(' '))

/** Long runs that make a careless regex backtrack: digits, at-signs, dots, separators, repeated. */
export const adversarialRun = fc
  .tuple(
    fc.constantFrom('1', '@', '.', '-', ' ', 'a', '0 ', '1.', 'a@', '@a.', '%40', 'eyJ', '::', 'DE89', '+'),
    fc.integer({ min: 1, max: 1500 }),
  )
  .map(([piece, count]) => piece.repeat(count))
