// Preloaded (`node --import`) into a deployable bundle under test: the deployed deliverer always sends
// to the vendor's real endpoint, so this test hook points fetch calls for those origins at the loopback
// stand-in named by TAGWARDEN_TEST_VENDOR_LOOPBACK. Nothing ever leaves the machine.
const VENDOR_ORIGINS = ['https://region1.google-analytics.com', 'https://www.google-analytics.com']
const loopback = process.env.TAGWARDEN_TEST_VENDOR_LOOPBACK
if (!loopback?.startsWith('http://127.0.0.1:'))
  throw new Error('TAGWARDEN_TEST_VENDOR_LOOPBACK must be loopback')

const originalFetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' || input instanceof URL ? new URL(input) : new URL(input.url)
  if (!VENDOR_ORIGINS.includes(url.origin)) return originalFetch(input, init)
  return originalFetch(`${loopback}${url.pathname}${url.search}`, init)
}
