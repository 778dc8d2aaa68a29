import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SQSRecord } from 'aws-lambda'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VendorMessage } from '#shared/delivery/message.ts'
import { Outbox } from '../../../local/outbox.ts'
import { type LocalQueueSettings, LocalQueues } from '../../../local/queues.ts'

const FAST: LocalQueueSettings = {
  batchSize: 25,
  concurrency: 1,
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

describe('redriving the local dead letters', () => {
  let dataDir: string
  let journal: string
  const opened: LocalQueues[] = []
  const open = async () => {
    const queues = new LocalQueues(
      new Outbox(),
      () => {},
      () => FAST,
    )
    await queues.persistTo(journal)
    opened.push(queues)
    return queues
  }
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tagwarden-redrive-'))
    journal = join(dataDir, 'queues.jsonl')
  })
  afterEach(async () => {
    for (const queues of opened.splice(0)) await queues.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('moves every dead letter back as a never-received message that survives a restart', async () => {
    const first = await open()
    const parked = first.deadLetters('ga4')
    await parked.park(message('a'), 'ga4 answered 400')
    await parked.park(message('b'), 'ga4 answered 400')
    await first.deadLetters('meta').park({ ...message('m'), vendor: 'meta' }, 'meta answered 400')

    expect(await first.redrive('ga4')).toBe(2)
    expect(first.status('ga4')).toMatchObject({ visible: 2, inFlight: 0, deadLetters: 0 })
    await first.close()

    const second = await open()
    expect(second.status('ga4')).toMatchObject({ visible: 2, inFlight: 0, deadLetters: 0 })
    expect(second.deadLettered('meta')).toHaveLength(1)
    const received: SQSRecord[] = []
    second.consume('ga4', async (event) => {
      received.push(...event.Records)
      return { batchItemFailures: [] }
    })
    second.start()
    await second.drained()
    expect(received.map((record) => JSON.parse(record.body).messageId).sort()).toEqual(['a', 'b'])
    expect(received.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '1'])
    expect(second.status('ga4')).toMatchObject({ visible: 0, inFlight: 0, deadLetters: 0 })
  })

  it('counts a received message as in flight until it is deleted', async () => {
    const queues = await open()
    await queues.enqueue('ga4', [message('a')])
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let receivedOne: () => void = () => {}
    const received = new Promise<void>((resolve) => {
      receivedOne = resolve
    })
    queues.consume('ga4', async () => {
      receivedOne()
      await held
      return { batchItemFailures: [] }
    })
    queues.start()
    await received

    expect(queues.status('ga4')).toMatchObject({ visible: 0, inFlight: 1 })
    expect(queues.status('ga4').oldestSentAt).toBeTypeOf('number')
    release()
    await queues.drained()
    expect(queues.status('ga4')).toEqual({ visible: 0, inFlight: 0, oldestSentAt: undefined, deadLetters: 0 })
  })
})
