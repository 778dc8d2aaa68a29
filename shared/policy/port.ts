import type { PolicyVersion } from './versions.ts'

/** The published privacy-policy versions (config table, cached), in no particular order. */
export interface PolicyVersions {
  published(): Promise<ReadonlyArray<PolicyVersion>>
}
