import { parseConfig } from '#shared/config/load.ts'
import type { TagwardenConfig } from '#shared/config/schema.ts'

export const DEV_WRITE_KEY = 'local-dev-key'

/** What `npm start` runs with when TAGWARDEN_CONFIG names no file: one local site, GA4 on. */
export function developmentConfig(): TagwardenConfig {
  return parseConfig(
    {
      sites: [
        {
          id: 'local',
          writeKeys: [DEV_WRITE_KEY],
          allowedOrigins: [
            'http://localhost:3000',
            'http://localhost:5173',
            'http://localhost:8080',
            'http://127.0.0.1:8787',
          ],
        },
      ],
      vendors: { ga4: { enabled: true, measurementId: 'G-LOCALDEV', endpoint: 'eu' } },
    },
    'development configuration',
  )
}
