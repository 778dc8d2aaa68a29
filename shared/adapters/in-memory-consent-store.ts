import type { ConsentRecord } from '#shared/consent/model.ts'
import { CONSENT_HISTORY_KEPT, type ConsentStore } from '#shared/consent/store.ts'

/** A ConsentStore held in memory, with the same expiry rules as the DynamoDB one (benchmarks, unit tests). */
export function inMemoryConsentStore(): ConsentStore {
  const histories = new Map<string, ConsentRecord[]>()
  const live = (record: ConsentRecord, now: Date) => record.expiresAt * 1000 > now.getTime()
  const current = (consentKey: string, now: Date) => {
    const latest = histories.get(consentKey)?.at(-1)
    return latest && live(latest, now) ? latest : null
  }
  return {
    async current(consentKey, now) {
      return current(consentKey, now)
    },
    async currentMany(consentKeys, now) {
      return new Map(consentKeys.map((key) => [key, current(key, now)]))
    },
    async record(decision) {
      const history = [...(histories.get(decision.consentKey) ?? []), decision]
      histories.set(decision.consentKey, history.slice(-CONSENT_HISTORY_KEPT))
    },
    async history(consentKey, now) {
      return (histories.get(consentKey) ?? []).filter((record) => live(record, now))
    },
  }
}
