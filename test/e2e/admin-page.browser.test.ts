import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminClient } from '../../cli/admin-client.ts'
import { bearerAuth } from '../../cli/auth.ts'
import { startUiServer, type UiServer } from '../../cli/ui-server.ts'
import { type AdminApiStandIn, startAdminApiStandIn } from '../support/admin-api-stand-in.ts'
import { type LoopbackBrowser, launchLoopbackBrowser, type WatchedPage } from '../support/browser.ts'

const LOCAL_TOKEN = 'page-test-local-token'

/**
 * The page as an operator opens it: served by `admin ui`, proxying to the stand-in. To run the same
 * test against the real local system, set TAGWARDEN_E2E_ADMIN_PAGE_URL to the address `npm start`
 * prints for the page (with `#token=<local admin token>`); it needs a `ga4` vendor that is on and has
 * dead letters, and a disabled `linkedin` whose transfer has no safeguard.
 */
async function pageUnderTest(): Promise<{ url: string; api?: AdminApiStandIn; ui?: UiServer }> {
  const external = process.env.TAGWARDEN_E2E_ADMIN_PAGE_URL
  if (external) return { url: external }
  const api = await startAdminApiStandIn({ token: LOCAL_TOKEN })
  const ui = await startUiServer({ client: adminClient(new URL(api.url), bearerAuth(LOCAL_TOKEN)), port: 0 })
  return { url: ui.pageUrl, api, ui }
}

const ga4Settings = (page: Page) => page.locator('#settings form[data-vendor="ga4"]')
const row = (page: Page, vendor: string) => page.locator(`#vendors tr[data-vendor="${vendor}"]`)
const focusedName = async (page: Page) =>
  String(
    await page.evaluate(
      "(() => { const e = document.activeElement; return e ? e.tagName.toLowerCase() + ': ' + (e.textContent ?? '').trim() : '' })()",
    ),
  )
/** The page answers asynchronously; wait for what a user would wait to see (not a measure of speed). */
const until = <T>(probe: () => Promise<T>) => expect.poll(probe, { timeout: 15_000 })

describe('the admin page in Chromium, through admin ui', () => {
  let target: Awaited<ReturnType<typeof pageUnderTest>>
  let browser: LoopbackBrowser
  let watched: WatchedPage
  let page: Page

  beforeAll(async () => {
    target = await pageUnderTest()
    browser = await launchLoopbackBrowser()
    watched = await browser.newPage()
    page = watched.page
    await page.goto(target.url)
    await row(page, 'ga4').waitFor()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await target?.ui?.close()
    await target?.api?.close()
  })

  it('takes the session token out of the address bar and keeps it for this tab only', async () => {
    expect(new URL(page.url()).hash).toBe('')
    expect(String(await page.evaluate("sessionStorage.getItem('tagwarden-admin-session')"))).toBe(
      decodeURIComponent(new URL(target.url).hash.slice('#token='.length)),
    )
    await until(() => page.locator('#status').textContent()).toBe('Loaded.')
  })

  it('switches a vendor off with the keyboard alone and shows the audit entry with the reason', async () => {
    await page.getByLabel('Reason for changes').focus()
    await page.keyboard.type('incident 7')
    await page.keyboard.press('Tab')
    expect(await focusedName(page)).toMatch(/^button: Switch off/)
    expect(
      await row(page, 'ga4')
        .getByRole('button', { name: /^Switch off/ })
        .getAttribute('aria-pressed'),
    ).toBe('true')
    await page.keyboard.press('Enter')

    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/switched off; takes effect within \d+ s\./)
    const toggle = row(page, 'ga4').getByRole('button', { name: /^Switch on/ })
    expect(await toggle.getAttribute('aria-pressed')).toBe('false')
    // Focus comes back to the same switch, so a keyboard user can undo at once.
    expect(await focusedName(page)).toMatch(/^button: Switch on/)
    const newest = page.locator('#audit tbody tr').first()
    await expect
      .poll(() => newest.locator('td').allTextContents())
      .toEqual([
        expect.any(String),
        expect.any(String),
        'vendor.disable',
        'ga4',
        '/enabled: true → false',
        'incident 7',
      ])
    if (target.api) expect(target.api.vendors.get('ga4')?.enabled).toBe(false)
  })

  it('shows a refusal naming the field: a US vendor without a transfer safeguard', async () => {
    await row(page, 'linkedin')
      .getByRole('button', { name: /^Switch on/ })
      .click()
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/linkedin.*\(field: transfer\.safeguard\)/)
    expect(await page.locator('#status').getAttribute('class')).toBe('error')
    expect(
      await row(page, 'linkedin')
        .getByRole('button', { name: /^Switch on/ })
        .getAttribute('aria-pressed'),
    ).toBe('false')
  })

  it('refuses bad settings, naming the field beside the form', async () => {
    const settings = ga4Settings(page).getByRole('textbox')
    const save = ga4Settings(page).getByRole('button', { name: /^Save settings/ })
    await settings.fill('{"measurementId": "UA-1"}')
    await save.click()
    const error = page.locator('#settings-ga4-error')
    await until(() => error.textContent()).toMatch(/\(field: (settings\.)?measurementId\)$/)
    expect(await settings.getAttribute('aria-invalid')).toBe('true')
    expect(await focusedName(page)).toBe('textarea: ')

    await settings.fill('{"measurementId": ')
    await save.click()
    await until(() => error.textContent()).toMatch(/^Not JSON: .*\(field: settings\)$/)
  })

  it('saves good settings with the revision and shows the change in the audit log', async () => {
    const settings = ga4Settings(page).getByRole('textbox')
    await settings.fill('{"measurementId": "G-SAVED1"}')
    await settings.press('Tab')
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/settings saved; takes effect within \d+ s\./)
    expect(await page.locator('#settings-ga4-error').textContent()).toBe('')
    await expect
      .poll(() => page.locator('#audit tbody tr').first().textContent())
      .toMatch(/vendor\.update.*measurementId/)
  })

  it('redrives dead letters with the keyboard (Space)', async () => {
    const redrive = row(page, 'ga4').getByRole('button', { name: /^Redrive/ })
    await redrive.focus()
    await page.keyboard.press('Space')
    await until(() => page.locator('#status').textContent()).toMatch(/moving back to its queue/)
    await until(() => page.locator('#audit tbody tr').first().textContent()).toMatch(/vendor\.redrive/)
  })

  it('publishes a policy version from its form', async () => {
    await page.getByLabel('Version', { exact: true }).fill('2027-01')
    await page.getByLabel('Effective from').fill('2027-01-01T00:00:00Z')
    await page.getByLabel('Covers').fill('ga4:analytics,meta:marketing')
    await page.getByLabel('Summary').fill('adds Meta')
    await page.getByRole('button', { name: 'Publish version' }).click()
    await expect
      .poll(() => page.locator('#policies tbody tr').first().textContent())
      .toMatch(/^2027-01.*adds Meta$/)
    expect(await page.getByLabel('Version', { exact: true }).inputValue()).toBe('')
  })

  it('loaded nothing from anywhere but loopback and logged no error but the refusals it showed', () => {
    expect(watched.offLoopbackRequests).toEqual([])
    // Chromium logs every 4xx answer; the 409 and the 400 are the refusals the tests above provoked.
    expect(watched.errors.filter((text) => !/status of (400|409)\b/.test(text))).toEqual([])
  })

  it('says what to do when opened without a session token', async () => {
    const fresh = await browser.newPage()
    await fresh.page.goto(new URL('/', target.url).href)
    await until(() => fresh.page.locator('#status').textContent()).toMatch(/No session token/)
    expect(await fresh.page.locator('#vendors tbody tr').count()).toBe(0)
  })
})
