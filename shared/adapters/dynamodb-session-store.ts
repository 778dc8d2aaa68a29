import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { isSessionId, type Session } from '#shared/identity/first-party-cookies.ts'
import type { SessionStore } from '#shared/ingest/sessions.ts'
import { batchGetAll } from './dynamodb-batch-get.ts'
import '#shared/lib/zod-messages.ts'
import * as z from 'zod/mini'

/** The visitor's session, next to its consent: pk = the consent key, sk `session`. */
export const SESSION_SORT_KEY = 'session'
/** Every attribute a session item has: infra lets the collector write these and no others. */
export const SESSION_ITEM_ATTRIBUTES = ['pk', 'sk', 'session', 'expiresAt'] as const
const MILLISECONDS_PER_SECOND = 1000

/** DynamoDB kept leaving keys unprocessed: the read failed and the caller should be retried. */
export class SessionReadError extends Error {
  override name = 'SessionReadError'
}

const sessionItemSchema = z.object({
  pk: z.string().check(z.minLength(1)),
  sk: z.literal(SESSION_SORT_KEY),
  session: z.object({
    id: z.string().check(z.refine(isSessionId, 'is not a session id')),
    number: z.int().check(z.gte(1)),
    startedAt: z.int(),
    lastAt: z.int(),
  }),
  expiresAt: z.int(),
})

/**
 * The session of a stored item still in force (TTL deletion is lazy in AWS, absent in dynalite), or
 * undefined. An item of another shape is ignored rather than failing the events: the visitor then
 * starts a new session, which is all a lost session costs.
 */
export function sessionInForce(
  raw: unknown,
  now: Date,
): { consentKey: string; session: Session } | undefined {
  const parsed = sessionItemSchema.safeParse(raw)
  if (!parsed.success || parsed.data.expiresAt * MILLISECONDS_PER_SECOND <= now.getTime()) return undefined
  return { consentKey: parsed.data.pk, session: parsed.data.session }
}

export function dynamoSessionStore(client: DynamoDBDocumentClient, tableName: string): SessionStore {
  return {
    async readMany(consentKeys, now) {
      const keys = [...new Set(consentKeys)].map((pk) => ({ pk, sk: SESSION_SORT_KEY }))
      const found = new Map<string, Session>()
      for (const raw of await batchGetAll(client, tableName, keys, (m) => new SessionReadError(m))) {
        const item = sessionInForce(raw, now)
        if (item) found.set(item.consentKey, item.session)
      }
      return found
    },

    async save(consentKey, session, expiresAt) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: consentKey,
            sk: SESSION_SORT_KEY,
            session: { ...session },
            expiresAt: Math.floor(expiresAt.getTime() / MILLISECONDS_PER_SECOND),
          },
        }),
      )
    },
  }
}
