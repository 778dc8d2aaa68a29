/**
 * zod/mini for the Lambda runtime's schemas: the same validation at less than half the cold-start
 * cost of the full API (bench/bundles.ts). Unlike the full API it ships no messages, so the English
 * ones are installed here, once, and every runtime schema imports zod from this module.
 */
import * as z from 'zod/mini'
import english from 'zod/v4/locales/en.js'

z.config(english())

export type { core } from 'zod/mini'
export { z }
