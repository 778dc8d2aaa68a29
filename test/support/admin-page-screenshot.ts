/**
 * Renders docs/admin-page.png: the admin page through `admin ui` against the real local system (GA4 and
 * Meta configured, a few events delivered, Meta switched off with a reason, so the status and the audit
 * log have something to show, and one visitor's export run from the page). Rerun with `npx tsx test/support/admin-page-screenshot.ts`.
 */
import { adminClient } from '../../cli/admin-client.ts'
import { bearerAuth } from '../../cli/auth.ts'
import { startUiServer } from '../../cli/ui-server.ts'
import { startLocalSystem } from '../../local/system.ts'
import { parseConfig } from '../../shared/config/load.ts'
import { DESKTOP_CHROME_USER_AGENT, launchLoopbackBrowser } from './browser.ts'
import { eventually } from './eventually.ts'

const OUTPUT = new URL('../../docs/admin-page.png', import.meta.url)
const WRITE_KEY = 'screenshot-write-key'

const system = await startLocalSystem({
  config: parseConfig(
    {
      sites: [{ id: 'www', writeKeys: [WRITE_KEY], allowedOrigins: ['https://www.example.com'] }],
      vendors: {
        ga4: { enabled: true, measurementId: 'G-EXAMPLE1' },
        meta: { enabled: true, pixelId: '123456789012345' },
      },
    },
    'screenshot configuration',
  ),
  port: 0,
  adminPort: 0,
  pseudonymKey: 'screenshot-pseudonym-key',
  trustProxy: false,
  print: () => {},
})
const send = (path: string, body: unknown, method = 'POST') =>
  fetch(`${system.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      'user-agent': DESKTOP_CHROME_USER_AGENT,
    },
    body: JSON.stringify(body),
  })
await send('/v1/consent', { anonymousId: 'visitor', purposes: { analytics: true, marketing: true } }, 'PUT')
for (const event of ['Signed Up', 'Order Completed'])
  await send('/v1/track', { anonymousId: 'visitor', event })
await eventually(() => system.outbox.deliveries.toJSON().length >= 2 || undefined, 15_000)

const ui = await startUiServer({
  client: adminClient(new URL(system.adminUrl), bearerAuth(system.adminToken)),
  port: 0,
})
const browser = await launchLoopbackBrowser()
try {
  const { page } = await browser.newPage()
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(ui.pageUrl)
  await page.locator('#vendors tr[data-vendor="meta"]').waitFor()
  await page.getByLabel('Reason for changes').fill('pixel misconfigured, ticket 481')
  await page
    .locator('#vendors tr[data-vendor="meta"]')
    .getByRole('button', { name: /^Switch off/ })
    .click()
  await page.locator('#audit tbody tr').first().waitFor()
  const privacy = page.locator('#privacy-request')
  await privacy.getByLabel('Site id').fill('www')
  await privacy.getByLabel('Visitor id').fill('visitor')
  await privacy.getByRole('button', { name: 'Run request' }).click()
  await page.locator('#privacy-requests tbody tr').first().waitFor()
  await page.screenshot({ path: OUTPUT.pathname, fullPage: true })
  process.stdout.write(`wrote ${OUTPUT.pathname}\n`)
} finally {
  await browser.close()
  await ui.close()
  await system.close()
}
