import { type PolicyCatalogue, policyCatalogue } from './catalogue.ts'
import { coverageOf, type PolicyCoverage } from './coverage.ts'
import type { PolicyVersions } from './port.ts'

/** The catalogue in force: the published versions (as cached) and the deployment's implicit one. */
export const catalogueReader =
  (versions: PolicyVersions, deploymentVersion: string) => async (): Promise<PolicyCatalogue> =>
    policyCatalogue(await versions.published(), deploymentVersion)

/** What collect and deliver take: the coverage in force, read once per request or batch. */
export const coverageReader =
  (versions: PolicyVersions, deploymentVersion: string) => async (): Promise<PolicyCoverage> =>
    coverageOf(await catalogueReader(versions, deploymentVersion)())
