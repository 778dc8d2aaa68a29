import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { HashedTraits } from '#shared/identity/kinds.ts'
import { mergeTraits, type TraitStore } from '#shared/identity/trait-store.ts'
import { batchGetAll } from './dynamodb-batch-get.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

const TRAITS_SORT_KEY = 'traits'
/** Every attribute a trait item has: infra lets the collector write these and no others (TRAIT_ITEM_ATTRIBUTES). */
export const TRAIT_ITEM_ATTRIBUTES = ['pk', 'sk', 'traits', 'expiresAt', 'revision'] as const
const MILLISECONDS_PER_SECOND = 1000
/** Read-merge-write rounds lost to a concurrent write of the same visitor before remember fails. */
const MAX_REMEMBER_ATTEMPTS = 3

/** DynamoDB kept leaving keys unprocessed: the read failed and the caller should be retried. */
export class TraitReadError extends Error {
  override name = 'TraitReadError'
}

/** Concurrent writes of the same visitor kept winning: the traits were not remembered. */
export class TraitWriteError extends Error {
  override name = 'TraitWriteError'
}

/** A stored item that does not have the shape this adapter writes: the table is corrupt or shared. */
export class TraitItemError extends Error {
  override name = 'TraitItemError'
}

const sha256Hex = () => z.optional(z.string().check(z.regex(/^[a-f0-9]{64}$/)))

const traitItemSchema = z.object({
  pk: z.string().check(z.minLength(1)),
  sk: z.literal(TRAITS_SORT_KEY),
  traits: z.object({
    email: sha256Hex(),
    phone: sha256Hex(),
    firstName: sha256Hex(),
    lastName: sha256Hex(),
    city: sha256Hex(),
    postcode: sha256Hex(),
    country: sha256Hex(),
  }),
  expiresAt: z.int(),
  /** Bumped by every write, so a read-merge-write detects one that happened in between. */
  revision: z.int(),
})

type TraitItem = z.output<typeof traitItemSchema>

export function toItem(item: unknown): TraitItem {
  const parsed = traitItemSchema.safeParse(item)
  if (!parsed.success) {
    throw new TraitItemError('Trait item in the consent table has an unexpected shape', {
      cause: parsed.error,
    })
  }
  return parsed.data
}

/** The parsed map holds only known kinds, each a SHA-256 (unknown attributes are left behind). */
export const hashesOf = (item: TraitItem): HashedTraits => ({ ...item.traits })

function epochSeconds(date: Date): number {
  const time = date.getTime()
  if (Number.isNaN(time)) throw new RangeError('expiresAt must be a valid date')
  return Math.floor(time / MILLISECONDS_PER_SECOND)
}

/** TTL deletion is lazy in AWS and absent in dynalite, so an expired item may still be read back. */
const isInForce = (item: TraitItem, now: Date): boolean =>
  item.expiresAt * MILLISECONDS_PER_SECOND > now.getTime()

/**
 * Hashed traits in the consent table (layout in dynamodb-tables.ts), ONE item per visitor: pk = the
 * consent key, sk `traits`, the hashes in the map `traits`, `expiresAt` (epoch seconds) as the TTL.
 * `now` tells remember whether the kept hashes have expired (then they are not merged).
 */
export function dynamoTraitStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  now: () => Date = () => new Date(),
): TraitStore {
  async function kept(consentKey: string): Promise<TraitItem | undefined> {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: consentKey, sk: TRAITS_SORT_KEY },
        ConsistentRead: true,
      }),
    )
    return Item ? toItem(Item) : undefined
  }

  /** Writes the merge of `traits` over the item read; false when another write came in between. */
  async function writeMerged(
    consentKey: string,
    traits: HashedTraits,
    expiresAt: number,
    read: TraitItem | undefined,
  ): Promise<boolean> {
    const previous = read && isInForce(read, now()) ? hashesOf(read) : {}
    const merged = mergeTraits(previous, traits)
    if (Object.keys(merged).length === 0) return true
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: consentKey,
            sk: TRAITS_SORT_KEY,
            traits: merged,
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
      return true
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false
      throw error
    }
  }

  return {
    async remember(consentKey, traits, expiresAt) {
      const expiresAtSeconds = epochSeconds(expiresAt)
      for (let attempt = 0; attempt < MAX_REMEMBER_ATTEMPTS; attempt++) {
        if (await writeMerged(consentKey, traits, expiresAtSeconds, await kept(consentKey))) return
      }
      throw new TraitWriteError(`traits not remembered: ${MAX_REMEMBER_ATTEMPTS} concurrent writes won`)
    },

    async recallMany(consentKeys, at) {
      const unique = [...new Set(consentKeys)]
      const found = new Map<string, HashedTraits>()
      const keys = unique.map((pk) => ({ pk, sk: TRAITS_SORT_KEY }))
      for (const raw of await batchGetAll(
        client,
        tableName,
        keys,
        (message) => new TraitReadError(message),
      )) {
        const item = toItem(raw)
        if (isInForce(item, at)) found.set(item.pk, hashesOf(item))
      }
      return found
    },

    async forget(consentKey) {
      await client.send(
        new DeleteCommand({ TableName: tableName, Key: { pk: consentKey, sk: TRAITS_SORT_KEY } }),
      )
    },
  }
}
