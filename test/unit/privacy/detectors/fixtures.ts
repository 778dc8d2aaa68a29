/** National phone formats as people write them, per country (E.164 and national). */
export const PHONES_BY_COUNTRY: Record<string, readonly string[]> = {
  DE: [
    '030/1234567',
    '030 1234567',
    '+49 30 1234567',
    '+49 (0)30 1234567',
    '0171 2345678',
    '(030) 123 45 67',
    '030 / 123 456 78',
    '030-123456-78',
    '0049 30 1234567',
    '+4930123456',
  ],
  AT: ['+43 1 58858-0', '01 58858-0', '0664 1234567', '+43 664 1234567', '0316/123456'],
  CH: ['+41 44 668 18 00', '044 668 18 00', '079 123 45 67', '+41 79 123 45 67'],
  FR: ['01 23 45 67 89', '01.23.45.67.89', '+33 1 23 45 67 89', '06-12-34-56-78', '+33 6 12 34 56 78'],
  UK: ['020 7946 0958', '+44 20 7946 0958', '07700 900123', '+44 7700 900123', '(020) 7946 0958'],
  US: [
    '(212) 555-1234',
    '212-555-1234',
    '212.555.1234',
    '+1 212 555 1234',
    '1-800-555-1234',
    '+1 (212) 555-1234',
  ],
}

/** Numbers that are not phones: prices, years, dates, times, short ids, amounts, timestamps, versions. */
export const NOT_PHONES: readonly string[] = [
  '1299.99',
  '1.299',
  '12,345.67',
  '2024',
  '2019-2024',
  '2019 / 2024',
  '2024-05-01',
  '01.05.2024',
  '05/01/2024',
  '#12345',
  '12:30',
  '1.2.3',
  'order 12345678',
  '1 234 567',
  '1.234.567',
  '1 234 567.89',
  '12 34 56 78',
  '10.30-12.00',
  '1712345678',
  '1712345678901',
  'SKU-1234567',
  'v1.2.3.4',
  '0.1234567',
  '12px',
  '1920x1080',
  '3.14159265',
]

/** Valid IBANs (the published examples of each country's registry entry), compact and as printed. */
export const VALID_IBANS: readonly string[] = [
  'DE89 3704 0044 0532 0130 00',
  'GB82 WEST 1234 5698 7654 32',
  'AT61 1904 3002 3457 3201',
  'CH93 0076 2011 6238 5295 7',
  'FR14 2004 1010 0505 0001 3M02 606',
  'NL91 ABNA 0417 1643 00',
  'BE68 5390 0754 7034',
  'ES91 2100 0418 4502 0005 1332',
  'IT60 X054 2811 1010 0000 0123 456',
  'NO93 8601 1117 947',
]

/** Valid card numbers of the networks' published test ranges. */
export const VALID_CARDS: readonly string[] = [
  '4111 1111 1111 1111',
  '5555 5555 5555 4444',
  '3782 822463 10005',
  '6011 1111 1111 1117',
  '3530 1113 3330 0000',
  '2223 0031 2200 3222',
  '4012 8888 8888 1881',
]

export function compact(text: string): string {
  return text.replaceAll(' ', '')
}

/** The same number with its last digit changed: a single changed digit always breaks Luhn and mod 97. */
export function withLastDigitChanged(text: string): string {
  const match = /\d(?=\D*$)/.exec(text)
  if (!match) return text
  const digit = Number(match[0])
  return `${text.slice(0, match.index)}${(digit + 1) % 10}${text.slice(match.index + 1)}`
}
