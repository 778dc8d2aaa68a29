import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminClient } from '../../cli/admin-client.ts'
import { bearerAuth } from '../../cli/auth.ts'
import { startUiServer, type UiServer } from '../../cli/ui-server.ts'
import { developmentConfig } from '../../local/dev-config.ts'
import { type LocalSystem, startLocalSystem } from '../../local/system.ts'
import { DESKTOP_CHROME_USER_AGENT, type LoopbackBrowser, launchLoopbackBrowser } from '../support/browser.ts'
import { type CaptureServer, startCaptureServer } from '../support/capture-server.ts'
import { eventually } from '../support/eventually.ts'

const WRITE_KEY = 'local-dev-key'
const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
const WINDOW_MS = 1_000

/**
 * The admin page against the real local system (the admin API `npm start` serves, reached through
 * `admin ui`'s proxy as an operator would): switching GA4 off in the page is audited, and GA4's
 * queued and new events are withheld with the reason the page then shows.
 */
describe('the admin page against the local system, in Chromium', () => {
  let ga4: CaptureServer
  let system: LocalSystem
  let ui: UiServer
  let browser: LoopbackBrowser
  let page: Page
  let vendorAnswers = 503

  const send = (path: string, body: unknown, method = 'POST') =>
    fetch(`${system.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization, 'user-agent': DESKTOP_CHROME_USER_AGENT },
      body: JSON.stringify(body),
    })
  const outcomesOf = (messageId: string) =>
    system.outbox.deliveries
      .toJSON()
      .filter((delivery) => delivery.messageId === messageId)
      .map((delivery) => delivery.outcome)
  const ga4Row = () => page.locator('#vendors tr[data-vendor="ga4"]')

  beforeAll(async () => {
    ga4 = await startCaptureServer({ respond: () => ({ status: vendorAnswers }) })
    system = await startLocalSystem({
      config: developmentConfig(),
      port: 0,
      adminPort: 0,
      pseudonymKey: 'admin-page-local-test-key',
      vendorBaseUrl: ga4.url,
      trustProxy: false,
      settingsMaxAgeMs: WINDOW_MS,
      print: () => {},
    })
    ui = await startUiServer({
      client: adminClient(new URL(system.adminUrl), bearerAuth(system.adminToken)),
      port: 0,
    })
    browser = await launchLoopbackBrowser()
    page = (await browser.newPage()).page
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await ui?.close()
    await system?.close()
    await ga4?.close()
  })

  it('switches GA4 off, shows the audit entry, and GA4 gets nothing more: queued events are withheld with the reason', async () => {
    expect(
      (await send('/v1/consent', { anonymousId: 'v-1', purposes: { analytics: true } }, 'PUT')).status,
    ).toBe(200)
    // GA4 is failing, so this event waits in the queue for a retry.
    expect(
      (await send('/v1/track', { anonymousId: 'v-1', event: 'Queued', messageId: 'queued-1' })).status,
    ).toBe(200)
    await eventually(() => outcomesOf('queued-1').includes('retry') || undefined, 15_000)

    await page.goto(ui.pageUrl)
    await page.getByLabel('Reason for changes').fill('page e2e')
    await ga4Row()
      .getByRole('button', { name: /^Switch off/ })
      .click()
    await expect
      .poll(() => page.locator('#audit tbody tr').first().locator('td').allTextContents(), {
        timeout: 15_000,
      })
      .toEqual([
        expect.any(String),
        'local:admin',
        'vendor.disable',
        'ga4',
        '/enabled: true → false',
        'page e2e',
      ])
    const switchedAt = Date.now()
    await eventually(() => Date.now() - switchedAt > WINDOW_MS + 200 || undefined, 5_000)
    vendorAnswers = 204
    const sentBefore = ga4.requests.length

    expect(
      (await send('/v1/track', { anonymousId: 'v-1', event: 'After', messageId: 'after-1' })).status,
    ).toBe(200)
    await eventually(() => outcomesOf('queued-1').includes('withheld') || undefined, 30_000)
    expect(
      system.outbox.decisions.toJSON().find((d) => d.messageId === 'after-1' && d.vendor === 'ga4'),
    ).toMatchObject({ allow: false, reason: 'ga4 is switched off by admin' })
    expect(ga4.requests.length).toBe(sentBefore)

    // The page, reloaded, shows the switch off and the deliverer's last batch withheld with why.
    await page.reload()
    await expect
      .poll(() => ga4Row().textContent(), { timeout: 15_000 })
      .toMatch(/withheld \(ga4 is switched off by admin\)/)
    expect(
      await ga4Row()
        .getByRole('button', { name: /^Switch on/ })
        .getAttribute('aria-pressed'),
    ).toBe('false')
  }, 90_000)

  it('runs a visitor’s erasure from the page and lists it with its status and one-month deadline', async () => {
    await page.goto(ui.pageUrl)
    const form = page.locator('#privacy-request')
    await form.getByLabel('Request').selectOption('erase')
    await form.getByLabel('Site id').fill('local')
    await form.getByLabel('Visitor id').fill('v-erase-from-page')
    await form.getByLabel(/E-mail for HubSpot/).fill('Page.Visitor@Example.org')
    await form.getByRole('button', { name: 'Run request' }).click()

    const row = page.locator('#privacy-requests tbody tr').first()
    await expect.poll(() => row.locator('th').textContent(), { timeout: 15_000 }).toBe('erase')
    const [requestedAt, site, status, deadline, by] = await row.locator('td').allTextContents()
    expect([site, by]).toEqual(['local', 'local:admin'])
    expect(status).toMatch(/^(pending|done|failed)/)
    const due = new Date(`${deadline}T00:00:00Z`)
    const made = new Date(requestedAt ?? '')
    expect((due.getUTCMonth() - made.getUTCMonth() + 12) % 12).toBe(1)
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^erase request recorded/)
    // The e-mail went to the erasure only: neither the form nor the list keeps it.
    expect(await form.getByLabel(/E-mail for HubSpot/).inputValue()).toBe('')
    expect((await page.locator('#privacy-requests').textContent())?.toLowerCase()).not.toContain(
      'page.visitor',
    )

    await form.getByLabel('Request').selectOption('export')
    await form.getByLabel('Visitor id').fill('v-1')
    await form.getByRole('button', { name: 'Run request' }).click()
    await expect
      .poll(() => page.locator('#privacy-requests tbody tr th').allTextContents(), { timeout: 15_000 })
      .toEqual(['export', 'erase'])
    expect(await page.locator('#privacy-result pre').textContent()).toContain('"anonymousId": "v-1"')
  }, 60_000)
})
