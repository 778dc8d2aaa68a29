/**
 * The runtime's schemas use zod/mini: the same validation at a fraction of the full API's cold-start
 * cost (bench/bundles.ts). Unlike the full API it installs no messages; this installs the English ones
 * (as the full API does), so every schema module imports it before `zod/mini`. Importing zod/mini as a
 * namespace in each schema, never re-exported, is what lets esbuild drop the parts that are not used.
 */
import { config } from 'zod/mini'
import english from 'zod/v4/locales/en.js'

config(english())
