import type { PolicyCatalogue } from './catalogue.ts'
import { currentVersion, indexOfVersion } from './current.ts'
import { OBJECTION_WINDOW_DAYS } from './versions.ts'

const MILLISECONDS_PER_DAY = 24 * 60 * 60 * 1000
export const OBJECTION_WINDOW_MS = OBJECTION_WINDOW_DAYS * MILLISECONDS_PER_DAY

/** The site must show the visitor version `version`'s notice; objecting is possible until `deadline`. */
export interface Notice {
  version: string
  /** ISO 8601: from then on silence counts as agreement for what the older version covered. */
  deadline: string
}

export type NoticeState =
  | { open: true; notice: Notice }
  | { open: false; why: 'closed'; version: string; deadline: string }
  | { open: false; why: 'not-pending'; version: string }

/**
 * Where a visitor whose consent was recorded under `storedVersion` stands with the current version's
 * notice at `now`: open during [effective date, effective date + OBJECTION_WINDOW_DAYS).
 */
export function noticeState(catalogue: PolicyCatalogue, storedVersion: string, now: Date): NoticeState {
  const current = currentVersion(catalogue, now)
  const storedIndex = indexOfVersion(catalogue, storedVersion)
  const older = storedIndex < indexOfVersion(catalogue, current.version)
  if (!older || !Number.isFinite(current.effectiveAtMs))
    return { open: false, why: 'not-pending', version: current.version }
  const deadlineMs = current.effectiveAtMs + OBJECTION_WINDOW_MS
  const deadline = new Date(deadlineMs).toISOString()
  if (now.getTime() >= deadlineMs) return { open: false, why: 'closed', version: current.version, deadline }
  return { open: true, notice: { version: current.version, deadline } }
}

/** The notice the site should show now, or null when none is pending (or its window has passed). */
export function noticeRequired(catalogue: PolicyCatalogue, storedVersion: string, now: Date): Notice | null {
  const state = noticeState(catalogue, storedVersion, now)
  return state.open ? state.notice : null
}
