import { describe, expect, it } from 'vitest'
import type { VendorRequest } from '#shared/delivery/http.ts'
import { linkedinRequestViolations } from '../../support/linkedin-validator.ts'
import { fixturePayload, NOW, requestFor } from './fixtures.ts'

const VALID = requestFor(fixturePayload())
const element = (): Record<string, unknown> => JSON.parse(VALID.body).elements[0]

function withElement(change: (element: Record<string, unknown>) => void): VendorRequest {
  const changed = element()
  change(changed)
  return { ...VALID, body: JSON.stringify({ elements: [changed] }) }
}

function withHeaders(headers: Record<string, string | undefined>): VendorRequest {
  const merged = { ...VALID.headers, ...headers }
  return {
    ...VALID,
    headers: Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  }
}

const violations = (request: VendorRequest) => linkedinRequestViolations(request, NOW).join('\n')

describe('LinkedIn validator', () => {
  it('passes a request the vendor builds', () => {
    expect(linkedinRequestViolations(VALID, NOW)).toEqual([])
  })

  it.each<[string, VendorRequest, string]>([
    ['another URL', { ...VALID, url: 'https://api.linkedin.com/v2/conversionEvents' }, 'rule 1'],
    ['a query string', { ...VALID, url: `${VALID.url}?access_token=x` }, 'rule 1'],
    ['another Rest.li protocol', withHeaders({ 'x-restli-protocol-version': '1.0.0' }), 'rule 2'],
    ['no LinkedIn-Version', withHeaders({ 'linkedin-version': undefined }), 'rule 2'],
    ['a sunset LinkedIn-Version', withHeaders({ 'linkedin-version': '202505' }), 'sunset'],
    ['a LinkedIn-Version from the future', withHeaders({ 'linkedin-version': '202701' }), 'not yet released'],
    ['no bearer token', withHeaders({ authorization: 'Basic abc' }), 'rule 2'],
    ['another content type', withHeaders({ 'content-type': 'text/plain' }), 'rule 2'],
    [
      'a batch body with another key',
      { ...VALID, body: JSON.stringify({ elements: [element()], x: 1 }) },
      'rule 3',
    ],
    ['an empty batch', { ...VALID, body: JSON.stringify({ elements: [] }), messageIds: [] }, 'rule 3'],
    [
      'another conversion URN',
      withElement((e) => {
        e.conversion = 'urn:li:x:1'
      }),
      'rule 4',
    ],
    [
      'seconds instead of ms',
      withElement((e) => {
        e.conversionHappenedAt = Math.floor(NOW.getTime() / 1000)
      }),
      'rule 5',
    ],
    [
      'a conversion 91 days old',
      withElement((e) => {
        e.conversionHappenedAt = NOW.getTime() - 91 * 86_400_000
      }),
      'rule 5',
    ],
    [
      'a conversion in the future',
      withElement((e) => {
        e.conversionHappenedAt = NOW.getTime() + 120_000
      }),
      'rule 5',
    ],
    [
      'a numeric amount',
      withElement((e) => {
        e.conversionValue = { currencyCode: 'EUR', amount: 42.5 }
      }),
      'rule 6',
    ],
    [
      'an amount without currency',
      withElement((e) => {
        e.conversionValue = { amount: '1' }
      }),
      'rule 6',
    ],
    [
      'no eventId',
      withElement((e) => {
        delete e.eventId
      }),
      'rule 7',
    ],
    [
      'an unknown idType',
      withElement((e) => {
        e.user = { userIds: [{ idType: 'EMAIL', idValue: 'a@b.c' }] }
      }),
      'rule 8',
    ],
    [
      'no userIds',
      withElement((e) => {
        e.user = { userIds: [] }
      }),
      'rule 9',
    ],
    [
      'a clear e-mail as SHA256_EMAIL',
      withElement((e) => {
        e.user = { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a@b.c' }] }
      }),
      'rule 10',
    ],
    [
      'a duplicate idType',
      withElement((e) => {
        const id = { idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }
        e.user = { userIds: [id, id] }
      }),
      'duplicate',
    ],
    [
      'userInfo with names',
      withElement((e) => {
        e.user = {
          userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }],
          userInfo: { firstName: 'mike', lastName: 'smith' },
        }
      }),
      'rule 11',
    ],
    [
      'an unknown element key',
      withElement((e) => {
        e.userAgent = 'UA'
      }),
      'unknown key',
    ],
  ])('flags %s', (_, request, rule) => {
    expect(violations(request)).toContain(rule)
  })

  it('checks the e-mail hash against sha256(trim(lower(email)))', () => {
    expect(linkedinRequestViolations(VALID, NOW, { expectedEmail: 'TEST@example.com ' })).toEqual([])
    expect(linkedinRequestViolations(VALID, NOW, { expectedEmail: 'other@example.com' }).join()).toContain(
      'rule 10',
    )
  })

  it('accepts only the configured versions when told them', () => {
    expect(linkedinRequestViolations(VALID, NOW, { versions: ['202605'] }).join()).toContain('configured')
    expect(linkedinRequestViolations(VALID, NOW, { versions: ['202606'] })).toEqual([])
  })
})
