// Preloaded (`node --import`) into processes that must reach fauxqs: its queue URLs name virtual hosts
// such as sqs.us-east-1.localhost, which this machine's resolver does not know. Loopback only.
import dns from 'node:dns'

const LOOPBACK = { address: '127.0.0.1', family: 4 }
const originalLookup = dns.lookup

dns.lookup = (hostname, options, callback) => {
  const done = typeof options === 'function' ? options : callback
  const settings = typeof options === 'object' && options !== null ? options : {}
  if (!hostname.endsWith('.localhost')) return originalLookup(hostname, options, callback)
  if (settings.all) return done(null, [LOOPBACK])
  return done(null, LOOPBACK.address, LOOPBACK.family)
}
