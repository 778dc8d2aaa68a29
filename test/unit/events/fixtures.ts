/**
 * Request bodies shaped exactly as real Segment-compatible clients send them. analytics-node's payload
 * is captured live in parse.test.ts instead of being written down here.
 */

/** analytics.js (analytics-next) with batching: POST /v1/batch, Content-Type text/plain, write key in the body. */
export const analyticsJsBatchBody = JSON.stringify({
  batch: [
    {
      timestamp: '2024-05-02T10:15:30.123Z',
      integrations: {},
      type: 'page',
      properties: {
        path: '/pricing',
        referrer: 'https://www.google.com/',
        search: '?utm_source=newsletter',
        title: 'Pricing',
        url: 'https://www.example.com/pricing?utm_source=newsletter',
      },
      name: 'Pricing',
      context: {
        page: {
          path: '/pricing',
          referrer: 'https://www.google.com/',
          search: '?utm_source=newsletter',
          title: 'Pricing',
          url: 'https://www.example.com/pricing?utm_source=newsletter',
        },
        userAgent:
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
        userAgentData: {
          brands: [{ brand: 'Chromium', version: '124' }],
          mobile: false,
          platform: 'Windows',
        },
        locale: 'de-DE',
        library: { name: 'analytics.js', version: 'npm:next-1.70.0' },
        timezone: 'Europe/Berlin',
        campaign: { source: 'newsletter' },
        consent: { categoryPreferences: { Advertising: false, Analytics: true, Functional: true } },
      },
      messageId: 'ajs-next-1714644930123-6f1b1c32-3b0e-4e8e-9d6f-2c1d9b5e7a10',
      anonymousId: '8d3c2f8e-2a1b-4c7d-9e0f-1a2b3c4d5e6f',
      writeKey: 'ajs-write-key',
      userId: null,
      sentAt: '2024-05-02T10:15:30.130Z',
      _metadata: { bundled: ['Segment.io'], unbundled: [], bundledIds: [] },
    },
    {
      timestamp: '2024-05-02T10:15:41.002Z',
      integrations: {},
      type: 'track',
      properties: { plan: 'pro', seats: 5 },
      event: 'Trial Started',
      context: {
        page: {
          path: '/pricing',
          referrer: 'https://www.google.com/',
          search: '',
          title: 'Pricing',
          url: 'https://www.example.com/pricing',
        },
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        locale: 'de-DE',
        library: { name: 'analytics.js', version: 'npm:next-1.70.0' },
        consent: { categoryPreferences: { Advertising: false, Analytics: true, Functional: true } },
      },
      messageId: 'ajs-next-1714644941002-0b5f7a3e-77c4-4c55-8e7f-5b6a1d2c3e4f',
      anonymousId: '8d3c2f8e-2a1b-4c7d-9e0f-1a2b3c4d5e6f',
      writeKey: 'ajs-write-key',
      userId: null,
      sentAt: '2024-05-02T10:15:41.010Z',
      _metadata: { bundled: ['Segment.io'], unbundled: [], bundledIds: [] },
    },
  ],
  sentAt: '2024-05-02T10:15:41.011Z',
  writeKey: 'ajs-write-key',
})

/** RudderStack JavaScript SDK v3: POST /v1/batch with Basic auth; numeric context.sessionId, userId "". */
export const rudderStackBatchBody = JSON.stringify({
  batch: [
    {
      channel: 'web',
      context: {
        app: { name: 'RudderLabs JavaScript SDK', namespace: 'com.rudderlabs.javascript', version: '3.7.0' },
        traits: {},
        library: { name: 'RudderLabs JavaScript SDK', version: '3.7.0' },
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15',
        os: { name: '', version: '' },
        locale: 'en-GB',
        screen: { density: 2, width: 1512, height: 982, innerWidth: 1512, innerHeight: 857 },
        campaign: {},
        page: {
          path: '/docs',
          referrer: '$direct',
          referring_domain: '',
          search: '',
          title: 'Docs',
          url: 'https://www.example.com/docs',
          tab_url: 'https://www.example.com/docs',
          initial_referrer: '$direct',
          initial_referring_domain: '',
        },
        sessionId: 1714644930123,
        sessionStart: true,
        timezone: 'GMT+0200',
      },
      type: 'track',
      messageId: '6c0a1e5e-4d7b-4f0a-9a3c-2b1d0e9f8a7b',
      originalTimestamp: '2024-05-02T10:15:30.123Z',
      anonymousId: '1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      userId: '',
      event: 'Docs Searched',
      properties: { query: 'consent' },
      integrations: { All: true },
      sentAt: '2024-05-02T10:15:31.000Z',
    },
    {
      channel: 'web',
      context: {
        library: { name: 'RudderLabs JavaScript SDK', version: '3.7.0' },
        locale: 'en-GB',
        page: { path: '/docs', referrer: '$direct', title: 'Docs', url: 'https://www.example.com/docs' },
        sessionId: 1714644930123,
      },
      type: 'page',
      messageId: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a',
      originalTimestamp: '2024-05-02T10:15:29.900Z',
      anonymousId: '1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      userId: '',
      name: 'Docs',
      properties: { name: 'Docs', path: '/docs', title: 'Docs', url: 'https://www.example.com/docs' },
      integrations: { All: true },
      sentAt: '2024-05-02T10:15:31.000Z',
    },
  ],
  sentAt: '2024-05-02T10:15:31.001Z',
})
