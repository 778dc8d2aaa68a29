import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '#shared/config/load.ts'
import { visitorRef } from '#shared/identity/visitor-ref.ts'
import { SIGNATURE_HEADER } from '#shared/sources/calendly/signature.ts'
import { GA4_ONLY_REASON } from '#shared/sources/calendly/webhook.ts'
import { type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { basicAuthorization } from '../support/api-event.ts'
import { calendlyBody, calendlySignatureHeader, freshInviteeId, INVITEE_PII } from '../support/calendly.ts'
import { eventually } from '../support/eventually.ts'

const PSEUDONYM_KEY = 'calendly-e2e-pseudonym-key'
const SIGNING_KEY = 'calendly-e2e-signing-key'
const WRITE_KEY = 'calendly-e2e-write-key'
const VISITOR = 'visitor-booking-e2e'

interface Outbox {
  decisions: Array<{ messageId: string; vendor: string | null; allow: boolean; reason: string }>
  queued: unknown[]
  requests: Array<{ vendor: string; body: unknown; events: Array<{ messageId: string }> }>
}

describe('a Calendly booking through the whole local system (npm start, dry run)', () => {
  let system: LocalSystem
  const lines: string[] = []

  beforeAll(async () => {
    system = await startLocalSystem({
      config: parseConfig({
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: ['https://www.example.com'] }],
        vendors: {
          ga4: { enabled: true, measurementId: 'G-BOOKING1' },
          meta: { enabled: true, pixelId: '1234567890' },
        },
      }),
      port: 0,
      pseudonymKey: PSEUDONYM_KEY,
      trustProxy: false,
      print: (line) => lines.push(line),
      calendlySigningKeys: JSON.stringify({ www: SIGNING_KEY }),
    })
  })
  afterAll(() => system?.close())

  it("reaches GA4 only, as the visitor's event, with no name, e-mail or answer anywhere", async () => {
    const consent = await fetch(`${system.url}/v1/consent`, {
      method: 'PUT',
      headers: { authorization: basicAuthorization(WRITE_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: VISITOR, purposes: { analytics: true, marketing: true } }),
    })
    expect(consent.status).toBe(200)
    const ref = visitorRef(PSEUDONYM_KEY, 'www', VISITOR)
    const body = JSON.stringify(
      calendlyBody('invitee.created', { utmContent: ref, inviteeId: freshInviteeId() }),
    )

    const answer = await fetch(`${system.url}/v1/webhooks/calendly/www`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: calendlySignatureHeader(SIGNING_KEY, body, Math.floor(Date.now() / 1000)),
      },
      body,
    })

    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ accepted: true, queued: 1 })
    const outbox = await eventually(async () => {
      const current = (await (await fetch(`${system.url}/__tagwarden/outbox`)).json()) as Outbox
      return current.requests.length > 0 ? current : undefined
    })
    expect(outbox.requests.map((request) => request.vendor)).toEqual(['ga4'])
    expect(JSON.stringify(outbox.requests[0]?.body)).toContain('appointment_booked')
    expect(outbox.decisions).toContainEqual(
      expect.objectContaining({ vendor: 'meta', reason: GA4_ONLY_REASON }),
    )
    const everything = `${JSON.stringify(outbox)}${lines.join('\n')}`
    for (const value of [...Object.values(INVITEE_PII), 'invitees/', VISITOR])
      expect(everything).not.toContain(value)
  })
})
