import type { KnownVersion, PolicyCatalogue } from './catalogue.ts'

/** The version in force at `at`: the latest effective by then (the implicit one sorts first). */
export function currentVersion({ versions }: PolicyCatalogue, at: Date): KnownVersion {
  const time = at.getTime()
  let current = versions[0]
  for (const version of versions) if (version.effectiveAtMs <= time) current = version
  if (!current) throw new Error('a policy catalogue always holds at least one version')
  return current
}

/** The index of the version of this name, or -1 for a version the catalogue does not know. */
export function indexOfVersion({ versions }: PolicyCatalogue, name: string): number {
  return versions.findIndex((version) => version.version === name)
}
