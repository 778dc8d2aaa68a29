import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SQSBatchItemFailure, SQSEvent, SQSRecord } from 'aws-lambda'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VendorMessage } from '#shared/delivery/message.ts'
import { Outbox } from '../../../local/outbox.ts'
import { type LocalQueueSettings, LocalQueues } from '../../../local/queues.ts'

/**
 * Shortened timings, in milliseconds. The function timeout leaves a slow batch (a quarter of it) ample
 * margin on a busy machine; the visibility timeout outlasts the function timeout, as in AWS.
 */
const FAST: LocalQueueSettings = {
  batchSize: 25,
  concurrency: 4,
  functionTimeoutMs: 200,
  visibilityTimeoutMs: 600,
  idlePollMs: 5,
  maxReceiveCount: 5,
  redeliverySecondMs: 1,
}

function message(messageId: string): VendorMessage {
  return {
    vendor: 'ga4',
    messageId,
    siteId: 'example',
    consentKey: 'key',
    recheck: { eventType: 'page', gpc: false },
    enqueuedAt: new Date().toISOString(),
    payload: { n: messageId },
  }
}

function messageIdOf(body: string): string {
  const parsed: unknown = JSON.parse(body)
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'messageId' in parsed &&
    typeof parsed.messageId === 'string'
  )
    return parsed.messageId
  throw new Error(`not a vendor message: ${body}`)
}

const receiveCountOf = (record: SQSRecord) => Number(record.attributes.ApproximateReceiveCount)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('local in-process queues', () => {
  let queues: LocalQueues | undefined
  let dataDir: string
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tagwarden-queues-'))
  })
  afterEach(async () => {
    await queues?.close()
    queues = undefined
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('hands the deliverer SQS-shaped batches whose bodies are the queued messages', async () => {
    queues = new LocalQueues(
      new Outbox(),
      () => {},
      () => FAST,
    )
    const seen: SQSEvent[] = []
    queues.consume('ga4', async (event) => {
      seen.push(event)
      return { batchItemFailures: [] }
    })
    await queues.enqueue('ga4', [message('a'), message('b')])
    queues.start()
    await queues.drained()
    const records = seen.flatMap((event) => event.Records)
    expect(records.map((record) => messageIdOf(record.body)).sort()).toEqual(['a', 'b'])
    expect(records[0]?.eventSource).toBe('aws:sqs')
    expect(records[0]?.attributes.ApproximateReceiveCount).toBe('1')
  })

  it('redelivers only the records reported as failed, when the deliverer asks for it', async () => {
    queues = new LocalQueues(
      new Outbox(),
      () => {},
      () => FAST,
    )
    const redelivery = queues.redelivery('ga4')
    const deliveries: string[] = []
    queues.consume('ga4', async (event) => {
      const failures: SQSBatchItemFailure[] = []
      for (const record of event.Records) {
        const id = messageIdOf(record.body)
        deliveries.push(id)
        if (id === 'b' && receiveCountOf(record) === 1) {
          failures.push({ itemIdentifier: record.messageId })
          await redelivery.delay([{ ...record, recordId: record.messageId, delaySeconds: 10 }])
        }
      }
      return { batchItemFailures: failures }
    })
    await queues.enqueue('ga4', [message('a'), message('b')])
    queues.start()
    await queues.drained()
    expect(deliveries.sort()).toEqual(['a', 'b', 'b'])
  })

  it('dead-letters a message that would be received for the (maxReceiveCount+1)th time', async () => {
    const outbox = new Outbox()
    queues = new LocalQueues(
      outbox,
      () => {},
      () => ({ ...FAST, visibilityTimeoutMs: 1, maxReceiveCount: 3 }),
    )
    let attempts = 0
    queues.consume('ga4', async () => {
      attempts++
      throw new Error('vendor down')
    })
    const doomed = message('doomed')
    await queues.enqueue('ga4', [doomed])
    queues.start()
    await queues.drained()
    expect(attempts).toBe(3)
    expect(outbox.parked.toArray()).toEqual([
      { vendor: 'ga4', reason: 'received 3 times (maxReceiveCount 3)', message: doomed },
    ])
  })

  it('delivers each of thousands of messages exactly once or dead-letters it, under slow, failing and hanging deliverers', async () => {
    const accepted = 3_000
    queues = new LocalQueues(
      new Outbox(),
      () => {},
      () => FAST,
    )
    await queues.persistTo(join(dataDir, 'queues.jsonl'))
    const redelivery = queues.redelivery('ga4')
    const deadLetters = queues.deadLetters('ga4')
    const delivered = new Map<string, number>()
    const number = (record: SQSRecord) => Number(messageIdOf(record.body).slice(1))
    let invocations = 0
    let abandoned = 0

    queues.consume('ga4', async (event) => {
      invocations++
      const records = event.Records
      // Hanging: a batch holding m…0 (mod 40) on its first receive hangs past the function timeout; half
      // of those never return, the other half claim late that every record was delivered.
      if (records.some((r) => number(r) % 40 === 0 && receiveCountOf(r) === 1)) {
        abandoned++
        if (abandoned % 2 === 0) return new Promise(() => {})
        await sleep(FAST.functionTimeoutMs * 2)
        return { batchItemFailures: [] }
      }
      // Failing: a batch holding m…7 (mod 50) on its first receive throws as a whole.
      if (records.some((r) => number(r) % 50 === 7 && receiveCountOf(r) === 1))
        throw new Error('deliverer crashed')
      // Slow: most batches take a while, still within the function timeout.
      await sleep(records[0] && number(records[0]) % 3 === 0 ? FAST.functionTimeoutMs / 4 : 1)
      const failures: SQSBatchItemFailure[] = []
      for (const record of records) {
        const n = number(record)
        const alwaysFails = n % 97 === 5
        const failsOnce = n % 9 === 4 && receiveCountOf(record) === 1
        if (alwaysFails || failsOnce) {
          failures.push({ itemIdentifier: record.messageId })
          await redelivery.delay([
            { recordId: record.messageId, receiptHandle: record.receiptHandle, delaySeconds: 5 },
          ])
        } else if (n % 101 === 3) {
          await deadLetters.park(JSON.parse(record.body), 'vendor answered 400')
        } else {
          const id = messageIdOf(record.body)
          delivered.set(id, (delivered.get(id) ?? 0) + 1)
        }
      }
      return { batchItemFailures: failures }
    })
    for (let start = 0; start < accepted; start += 25)
      await queues.enqueue(
        'ga4',
        Array.from({ length: 25 }, (_, i) => message(`m${start + i}`)),
      )
    queues.start()
    await queues.drained(20_000)

    const deadLettered = queues.deadLettered('ga4').map((letter) => messageIdOf(letter.body))
    const duplicated = [...delivered.values()].filter((count) => count > 1).length
    console.info(
      `local queues: accepted ${accepted}, delivered ${delivered.size}, dead-lettered ${deadLettered.length}, duplicated ${duplicated}, invocations ${invocations}, abandoned ${abandoned}`,
    )
    expect(duplicated).toBe(0)
    expect(new Set(deadLettered).size).toBe(deadLettered.length)
    expect(deadLettered.filter((id) => delivered.has(id))).toEqual([])
    expect(delivered.size + deadLettered.length).toBe(accepted)
    const expectedDeadLetters = Array.from({ length: accepted }, (_, n) => n).filter(
      (n) => n % 97 === 5 || n % 101 === 3,
    )
    expect(deadLettered.map((id) => Number(id.slice(1))).sort((a, b) => a - b)).toEqual(expectedDeadLetters)
    expect(abandoned).toBeGreaterThan(0)
  }, 30_000)

  it('resumes queued and dead-lettered messages after a restart from the same journal', async () => {
    const journal = join(dataDir, 'queues.jsonl')
    const first = new LocalQueues(
      new Outbox(),
      () => {},
      () => FAST,
    )
    await first.persistTo(journal)
    await first.enqueue(
      'ga4',
      Array.from({ length: 30 }, (_, i) => message(`r${i}`)),
    )
    await first.deadLetters('ga4').park(message('bad'), 'vendor answered 400')
    await first.close()

    queues = new LocalQueues(
      new Outbox(),
      () => {},
      () => FAST,
    )
    await queues.persistTo(journal)
    expect(queues.size('ga4')).toBe(30)
    const delivered: string[] = []
    queues.consume('ga4', async (event) => {
      delivered.push(...event.Records.map((record) => messageIdOf(record.body)))
      return { batchItemFailures: [] }
    })
    queues.start()
    await queues.drained()
    await queues.close()
    expect(delivered.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`).sort())

    queues = new LocalQueues(
      new Outbox(),
      () => {},
      () => FAST,
    )
    await queues.persistTo(journal)
    expect(queues.size('ga4')).toBe(0)
    expect(queues.deadLettered('ga4').map((letter) => [messageIdOf(letter.body), letter.reason])).toEqual([
      ['bad', 'vendor answered 400'],
    ])
  })
})
