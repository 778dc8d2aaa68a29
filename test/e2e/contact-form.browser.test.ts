import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LoopbackBrowser, launchLoopbackBrowser } from '../support/browser.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'
import { hubspotRequestViolations } from '../support/hubspot-validator.ts'
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts'

const WRITE_KEY = 'forms-e2e-write-key'
const FORM_GUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const EMAIL = 'ada.lovelace@example.org'
const PROCESSING_TEXT = 'I agree that Example may store my details to answer me.'

/** The site's contact page: a plain HTML form, no script at all. */
function contactPage(apiUrl: string): string {
  return `<!doctype html><html><body>
<form method="post" action="${apiUrl}/v1/forms/contact">
  <input type="hidden" name="writeKey" value="${WRITE_KEY}">
  <label>E-mail <input type="email" name="email" id="email" required></label>
  <label>First name <input type="text" name="firstname" id="firstname"></label>
  <label><input type="checkbox" name="consentToProcess" value="true" id="consent" required> ${PROCESSING_TEXT}</label>
  <div style="position:absolute;left:-10000px" aria-hidden="true"><input type="text" name="_hp" tabindex="-1"></div>
  <button type="submit" id="send">Send</button>
</form></body></html>`
}

async function startSite(pages: () => Record<string, string>): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const page = pages()[new URL(request.url ?? '/', 'http://site.invalid').pathname]
    if (page === undefined) response.writeHead(404).end()
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, server }
}

describe('a plain HTML contact form in Chromium, through npm start, to a HubSpot stand-in', () => {
  let site: { url: string; server: Server }
  let hubspot: CaptureServer
  let system: LocalProcess
  let browser: LoopbackBrowser

  beforeAll(async () => {
    let apiUrl = ''
    site = await startSite(() => ({ '/contact': contactPage(apiUrl), '/thanks': '<p>Thank you</p>' }))
    hubspot = await startCaptureServer()
    system = await startLocalProcess({
      TAGWARDEN_CONFIG_JSON: JSON.stringify({
        sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: [site.url] }],
        vendors: {
          hubspot: {
            enabled: true,
            portalId: '123456',
            forms: {
              contact: {
                portalId: '123456',
                formGuid: FORM_GUID,
                fields: [{ name: 'email', required: true }, { name: 'firstname' }],
                consent: { processingText: PROCESSING_TEXT },
                thankYouUrl: `${site.url}/thanks`,
              },
            },
          },
        },
      }),
      TAGWARDEN_VENDOR_BASE_URL: hubspot.url,
      TAGWARDEN_HUBSPOT_CREDENTIALS: JSON.stringify({ accessToken: 'forms-e2e-token' }),
    })
    apiUrl = system.url
    browser = await launchLoopbackBrowser()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await system?.stop()
    await hubspot?.close()
    site?.server.close()
  })

  it('lands the visitor on the thank-you page and submits exactly the typed fields to HubSpot', async () => {
    const tab = await browser.newPage()
    await tab.page.goto(`${site.url}/contact`)
    await tab.page.fill('#email', EMAIL)
    await tab.page.fill('#firstname', 'Ada')
    await tab.page.check('#consent')
    await Promise.all([tab.page.waitForURL(`${site.url}/thanks`), tab.page.click('#send')])
    expect(await tab.page.textContent('p')).toBe('Thank you')

    const [submit] = await hubspot.waitFor(1, 15_000)
    if (!submit) throw new Error(`nothing reached HubSpot:\n${system.output()}`)
    const headers = Object.fromEntries(
      Object.entries(submit.headers).flatMap(([name, value]) =>
        typeof value === 'string' ? [[name, value]] : [],
      ),
    )
    expect(
      hubspotRequestViolations(
        {
          vendor: 'hubspot',
          method: 'POST',
          url: `${hubspot.url}${submit.url}`,
          headers,
          body: submit.body,
          messageIds: [],
        },
        new Date(),
        { allowOrigin: hubspot.url, formFields: ['email', 'firstname'] },
      ),
    ).toEqual([])
    expect(JSON.parse(submit.body).fields).toEqual([
      { objectTypeId: '0-1', name: 'email', value: EMAIL },
      { objectTypeId: '0-1', name: 'firstname', value: 'Ada' },
    ])

    const outbox = await eventually(async () => {
      const shown = await (await fetch(`${system.url}/__tagwarden/outbox`)).text()
      return shown.includes('"outcome":"delivered"') ? shown : undefined
    })
    expect(outbox).not.toContain(EMAIL)
    expect(system.output()).not.toContain(EMAIL)
    expect(tab.offLoopbackRequests).toEqual([])
  }, 60_000)
})
