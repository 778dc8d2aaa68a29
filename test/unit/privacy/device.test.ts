import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { describeDevice } from '#shared/privacy/device.ts'

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'
const IPAD_SAFARI =
  'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1'
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'
const MAC_FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0'
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36'
const CUBOT_PHONE =
  'Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'
const SMART_TV =
  'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36'

describe('describeDevice', () => {
  it.each([
    ['an iPhone', IPHONE_SAFARI, { category: 'mobile', browser: 'Mobile Safari', os: 'iOS' }],
    ['an iPad', IPAD_SAFARI, { category: 'tablet', browser: 'Mobile Safari', os: 'iOS' }],
    ['a Windows PC', WINDOWS_CHROME, { category: 'desktop', browser: 'Chrome', os: 'Windows' }],
    ['a Mac', MAC_FIREFOX, { category: 'desktop', browser: 'Firefox', os: 'Mac OS' }],
    ['an Android phone', ANDROID_CHROME, { category: 'mobile', browser: 'Chrome', os: 'Android' }],
  ])('describes %s coarsely, without versions', (_, userAgent, device) => {
    expect(describeDevice(userAgent)).toEqual({ device, isBot: false })
  })

  it('puts a smart TV in the other category', () => {
    expect(describeDevice(SMART_TV).device?.category).toBe('other')
  })

  it('returns no device for a missing or empty user agent', () => {
    expect(describeDevice(undefined)).toEqual({ device: null, isBot: false })
    expect(describeDevice('   ')).toEqual({ device: null, isBot: false })
  })

  it.each([
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    ['Bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
    ['a spider', 'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)'],
    ['Yahoo Slurp', 'Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)'],
    [
      'headless Chrome',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
    ],
    ['Lighthouse', 'Mozilla/5.0 (Linux; Android 11; moto g power) Chrome-Lighthouse'],
    ['an uptime monitor', 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)'],
    ['a link preview', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
    ['Slack', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
    ['curl', 'curl/8.5.0'],
    ['wget', 'Wget/1.21.4'],
    ['python-requests', 'python-requests/2.31.0'],
    ['the Go client', 'Go-http-client/2.0'],
    ['okhttp', 'okhttp/4.12.0'],
    ['axios', 'axios/1.6.8'],
    ['node-fetch', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'],
    ['undici', 'undici'],
    ['Java', 'Java/17.0.2'],
    ['Apache HttpClient', 'Apache-HttpClient/4.5.14 (Java/17.0.2)'],
    ['Postman', 'PostmanRuntime/7.37.0'],
  ])('flags %s as a bot', (_, userAgent) => {
    expect(describeDevice(userAgent).isBot).toBe(true)
  })

  it('does not mistake a Cubot phone for a bot', () => {
    expect(describeDevice(CUBOT_PHONE)).toEqual({
      device: { category: 'mobile', browser: 'Chrome', os: 'Android' },
      isBot: false,
    })
  })

  it('never throws and never returns a version for any user agent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (userAgent) => {
        const { device } = describeDevice(userAgent)

        expect(device === null || ['desktop', 'mobile', 'tablet', 'other'].includes(device.category)).toBe(
          true,
        )
        expect(device?.browser ?? '').not.toMatch(/\d+\.\d+/)
        expect(device?.os ?? '').not.toMatch(/\d+\.\d+/)
      }),
    )
  })
})
