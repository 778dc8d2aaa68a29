/**
 * Renders docs/admin-page.png: the admin page through `admin ui` against the stand-in, after one switch-off
 * so the audit log has an entry. Rerun with `npx tsx test/support/admin-page-screenshot.ts`.
 */
import { adminClient } from '../../cli/admin-client.ts'
import { bearerAuth } from '../../cli/auth.ts'
import { startUiServer } from '../../cli/ui-server.ts'
import { startAdminApiStandIn } from './admin-api-stand-in.ts'
import { launchLoopbackBrowser } from './browser.ts'

const OUTPUT = new URL('../../docs/admin-page.png', import.meta.url)
const TOKEN = 'screenshot-token'

const api = await startAdminApiStandIn({ token: TOKEN })
const ui = await startUiServer({ client: adminClient(new URL(api.url), bearerAuth(TOKEN)), port: 0 })
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
  await page.screenshot({ path: OUTPUT.pathname, fullPage: true })
  process.stdout.write(`wrote ${OUTPUT.pathname}\n`)
} finally {
  await browser.close()
  await ui.close()
  await api.close()
}
