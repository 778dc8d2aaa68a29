import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { RightsState } from '#shared/rights/api.ts'
import type { RightsStore, VisitorStanding } from '#shared/rights/store.ts'
import { batchGetAll } from './dynamodb-batch-get.ts'
import { CURRENT_SORT_KEY, consentInForce } from './dynamodb-consent-store.ts'
import { ERASED_SORT_KEY, tombstoneStands } from './dynamodb-erasure-store.ts'
import { SESSION_SORT_KEY, sessionInForce } from './dynamodb-session-store.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

const RIGHTS_SORT_KEY = 'rights'
const MILLISECONDS_PER_SECOND = 1000
/** Read-change-write rounds lost to a concurrent change of the same visitor before update fails. */
const MAX_UPDATE_ATTEMPTS = 3

/** DynamoDB kept leaving keys unprocessed: the read failed and the caller should be retried. */
export class RightsReadError extends Error {
  override name = 'RightsReadError'
}

/** Concurrent changes of the same visitor kept winning: the change was not stored. */
export class RightsWriteError extends Error {
  override name = 'RightsWriteError'
}

/** A stored item that does not have the shape this adapter writes: the table is corrupt or shared. */
export class RightsItemError extends Error {
  override name = 'RightsItemError'
}

const rightsItemSchema = z.object({
  pk: z.string().check(z.minLength(1)),
  sk: z.literal(RIGHTS_SORT_KEY),
  restricted: z.boolean(),
  objections: z.object({ analytics: z.optional(z.literal(true)), marketing: z.optional(z.literal(true)) }),
  updatedAt: z.iso.datetime(),
  expiresAt: z.int(),
  /** Bumped by every write, so a read-change-write detects one that happened in between. */
  revision: z.int(),
})

type RightsItem = z.output<typeof rightsItemSchema>

function toItem(raw: unknown): RightsItem {
  const parsed = rightsItemSchema.safeParse(raw)
  if (!parsed.success) {
    throw new RightsItemError('Rights item in the consent table has an unexpected shape', {
      cause: parsed.error,
    })
  }
  return parsed.data
}

/** TTL deletion is lazy in AWS and absent in dynalite, so an expired item may still be read back. */
const isInForce = (item: RightsItem, now: Date): boolean =>
  item.expiresAt * MILLISECONDS_PER_SECOND > now.getTime()

function stateOf(item: RightsItem): RightsState {
  const objections: RightsState['objections'] = {}
  if (item.objections.analytics) objections.analytics = true
  if (item.objections.marketing) objections.marketing = true
  return { restricted: item.restricted, objections, updatedAt: item.updatedAt }
}

function epochSeconds(date: Date): number {
  const time = date.getTime()
  if (Number.isNaN(time)) throw new RangeError('expiresAt must be a valid date')
  return Math.floor(time / MILLISECONDS_PER_SECOND)
}

/**
 * Restriction and objections in the consent table (layout in dynamodb-tables.ts), ONE item per
 * visitor: pk = the consent key, sk `rights`, `restricted`, `objections` (purpose → true),
 * `updatedAt`, `revision` and `expiresAt` (epoch seconds, the TTL, refreshed by every write).
 */
export function dynamoRightsStore(client: DynamoDBDocumentClient, tableName: string): RightsStore {
  async function stored(consentKey: string): Promise<RightsItem | undefined> {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: consentKey, sk: RIGHTS_SORT_KEY },
        ConsistentRead: true,
      }),
    )
    return Item ? toItem(Item) : undefined
  }

  return {
    async read(consentKey, now) {
      const item = await stored(consentKey)
      return item && isInForce(item, now) ? stateOf(item) : null
    },

    async readMany(consentKeys, now) {
      const unique = [...new Set(consentKeys)]
      const found = new Map<string, RightsState | null>(unique.map((key) => [key, null]))
      const keys = unique.map((pk) => ({ pk, sk: RIGHTS_SORT_KEY }))
      for (const raw of await batchGetAll(client, tableName, keys, (m) => new RightsReadError(m))) {
        const item = toItem(raw)
        if (isInForce(item, now)) found.set(item.pk, stateOf(item))
      }
      return found
    },

    async readManyWithConsent(consentKeys, now) {
      const unique = [...new Set(consentKeys)]
      const found = new Map<string, VisitorStanding>(
        unique.map((key) => [key, { consent: null, rights: null, erased: false }]),
      )
      const keys = unique.flatMap((pk) => [
        { pk, sk: CURRENT_SORT_KEY },
        { pk, sk: RIGHTS_SORT_KEY },
        { pk, sk: ERASED_SORT_KEY },
        { pk, sk: SESSION_SORT_KEY },
      ])
      for (const raw of await batchGetAll(client, tableName, keys, (m) => new RightsReadError(m))) {
        const sk = typeof raw === 'object' && raw !== null && 'sk' in raw ? raw.sk : undefined
        if (sk === ERASED_SORT_KEY) {
          const pk = typeof raw === 'object' && raw !== null && 'pk' in raw ? raw.pk : undefined
          const standing = typeof pk === 'string' ? found.get(pk) : undefined
          if (standing && tombstoneStands(raw, now)) standing.erased = true
        } else if (sk === SESSION_SORT_KEY) {
          const item = sessionInForce(raw, now)
          const standing = item ? found.get(item.consentKey) : undefined
          if (item && standing) standing.session = item.session
        } else if (sk === RIGHTS_SORT_KEY) {
          const item = toItem(raw)
          const standing = found.get(item.pk)
          if (standing && isInForce(item, now)) standing.rights = stateOf(item)
        } else {
          const record = consentInForce(raw, now)
          const standing = record ? found.get(record.consentKey) : undefined
          if (record && standing) standing.consent = record
        }
      }
      return found
    },

    async update(consentKey, change, at) {
      const expiresAt = epochSeconds(at.expiresAt)
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        const read = await stored(consentKey)
        const next = change(read && isInForce(read, at.now) ? stateOf(read) : null)
        const state: RightsState = { ...next, updatedAt: at.now.toISOString() }
        try {
          await client.send(
            new PutCommand({
              TableName: tableName,
              Item: {
                pk: consentKey,
                sk: RIGHTS_SORT_KEY,
                restricted: state.restricted,
                objections: state.objections,
                updatedAt: state.updatedAt,
                expiresAt,
                revision: (read?.revision ?? 0) + 1,
              },
              ...(read
                ? {
                    ConditionExpression: 'revision = :revision',
                    ExpressionAttributeValues: { ':revision': read.revision },
                  }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
            }),
          )
          return state
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error
        }
      }
      throw new RightsWriteError(`rights not stored: ${MAX_UPDATE_ATTEMPTS} concurrent changes won`)
    },

    async forget(consentKey) {
      await client.send(
        new DeleteCommand({ TableName: tableName, Key: { pk: consentKey, sk: RIGHTS_SORT_KEY } }),
      )
    },
  }
}
