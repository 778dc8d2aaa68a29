import type { GrantedIdentity } from '#shared/identity/kinds.ts'
import { LI_FAT_ID_FORMAT, type LinkedinUserId, SHA256_HEX } from './payload.ts'

/**
 * `user.userIds` from what the edge granted LinkedIn: the hashed e-mail of the visitor's kept
 * identify traits and the `li_fat_id` click id, each only in LinkedIn's form. Nothing else leaves.
 */
export function linkedinUserIds(
  identity: GrantedIdentity,
  dropped: (field: string, reason: string) => void,
): LinkedinUserId[] {
  const ids: LinkedinUserId[] = []
  const { email, liFatId } = identity
  if (email !== undefined) {
    if (SHA256_HEX.test(email)) ids.push({ idType: 'SHA256_EMAIL', idValue: email })
    else dropped('user.userIds.SHA256_EMAIL', 'not a lowercase hex SHA-256')
  }
  if (liFatId !== undefined) {
    if (LI_FAT_ID_FORMAT.test(liFatId)) {
      ids.push({ idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: liFatId })
    } else dropped('user.userIds.LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', 'not a li_fat_id (UUID)')
  }
  return ids
}
