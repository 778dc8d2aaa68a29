import { expect } from 'vitest'
import { basicAuthorization } from './api-event.ts'
import { DESKTOP_CHROME_USER_AGENT } from './browser.ts'
import { visitorJar } from './visitor-cookie.ts'

/**
 * What a site's page sends to the public API: its write key, its origin, a browser's user agent, and
 * each visitor's token cookie kept as their browser keeps it. Every call must answer 200.
 */
export function sitePage(apiUrl: () => string, site: { writeKey: string; origin: string }) {
  const browser = visitorJar()
  return async (method: string, path: string, body: { anonymousId: string } & Record<string, unknown>) => {
    const response = await fetch(`${apiUrl()}${path}`, {
      method,
      headers: {
        authorization: basicAuthorization(site.writeKey),
        origin: site.origin,
        'content-type': 'application/json',
        'user-agent': DESKTOP_CHROME_USER_AGENT,
        ...browser.headerFor(body.anonymousId),
      },
      body: JSON.stringify(body),
    })
    expect(response.status, await response.clone().text()).toBe(200)
    browser.keep(body.anonymousId, response.headers.get('set-cookie'))
    return response
  }
}
