import { UAParser } from 'ua-parser-js'
import type { CoarseDevice } from '#shared/events/model.ts'

/** ua-parser-js reads at most 500 characters; the bot check looks at no more than that either. */
const MAX_USER_AGENT_LENGTH = 500
/** Browser and OS names are short (`Mobile Safari`, `Chrome OS`); a longer one came from a crafted header. */
const MAX_NAME_LENGTH = 40

/**
 * Crawlers, headless and automated browsers, monitoring and link-preview fetchers, and HTTP libraries.
 * `cubot` is a phone maker, not a bot.
 */
const AUTOMATED_CLIENT = new RegExp(
  [
    '(?<!cu)bot\\b',
    'bot[/_;)-]',
    'crawl',
    'spider',
    'slurp',
    'scrap(?:er|y)',
    'archiver',
    'headless',
    'phantomjs',
    'puppeteer',
    'playwright',
    'selenium',
    'webdriver',
    'lighthouse',
    'pagespeed',
    'gtmetrix',
    'pingdom',
    'uptime',
    'statuscake',
    'site24x7',
    'monitor',
    'preview',
    'facebookexternalhit',
    'facebookcatalog',
    'whatsapp',
    'embedly',
    'mediapartners-google',
    'adsbot',
    'apis-google',
    'google-inspectiontool',
    'feedfetcher',
    '^curl/',
    '^wget/',
    'python-requests',
    'python-urllib',
    '^python/',
    'aiohttp',
    'httpx',
    'go-http-client',
    'okhttp',
    '^axios/',
    'node-fetch',
    '^undici',
    '^node$',
    '^got ',
    '^java/',
    'apache-httpclient',
    'libwww-perl',
    'httpie',
    'postmanruntime',
    'insomnia',
    '^ruby',
    '^php',
    'guzzlehttp',
    'http_request2',
    'restsharp',
    'dart:io',
    'reqwest',
  ].join('|'),
  'i',
)

const CATEGORY_BY_DEVICE_TYPE: Readonly<Record<string, CoarseDevice['category']>> = {
  mobile: 'mobile',
  tablet: 'tablet',
}

/** Parsing state is per call (`setUA`), so one parser serves every request; construction is cheap. */
const parser = new UAParser()

/** Coarse device facts (category, browser and OS names, never versions) and whether a program sent it. */
export function describeDevice(userAgent: string | undefined): {
  device: CoarseDevice | null
  isBot: boolean
} {
  const agent = userAgent?.trim().slice(0, MAX_USER_AGENT_LENGTH)
  if (!agent) return { device: null, isBot: false }
  const result = parser.setUA(agent).getResult()
  const type = result.device.type
  const browser = shortName(result.browser.name)
  const os = shortName(result.os.name)
  const device: CoarseDevice = {
    category: type === undefined ? 'desktop' : (CATEGORY_BY_DEVICE_TYPE[type] ?? 'other'),
    ...(browser ? { browser } : {}),
    ...(os ? { os } : {}),
  }
  return { device, isBot: AUTOMATED_CLIENT.test(agent) }
}

function shortName(name: string | undefined): string | undefined {
  return name?.trim().slice(0, MAX_NAME_LENGTH) || undefined
}
