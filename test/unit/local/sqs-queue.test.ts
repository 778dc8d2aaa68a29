import { describe, expect, it } from 'vitest'
import { SqsQueue, type StoredMessage } from '../../../local/sqs-queue.ts'

const VISIBILITY_MS = 1_000

function clock() {
  let now = 0
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

function message(id: string): StoredMessage {
  return { id, body: `{"n":"${id}"}`, sentAt: 0, receiveCount: 0 }
}

function noRedrive(): never {
  throw new Error('unexpected redrive')
}

describe('the local SQS queue', () => {
  it('hides a received message until its visibility timeout ends, then hands it out again', () => {
    const time = clock()
    const queue = new SqsQueue(5, time.now)
    queue.send(message('a'))
    expect(queue.receive(10, VISIBILITY_MS, noRedrive).map((m) => m.id)).toEqual(['a'])
    time.advance(VISIBILITY_MS - 1)
    expect(queue.receive(10, VISIBILITY_MS, noRedrive)).toEqual([])
    time.advance(1)
    const again = queue.receive(10, VISIBILITY_MS, noRedrive)
    expect(again.map((m) => [m.id, m.receiveCount])).toEqual([['a', 2]])
  })

  it('issues a new receipt handle per receive; a stale one deletes nothing, neither the message nor another', () => {
    const time = clock()
    const queue = new SqsQueue(5, time.now)
    queue.send(message('a'))
    queue.send(message('b'))
    const [first] = queue.receive(1, VISIBILITY_MS, noRedrive)
    time.advance(VISIBILITY_MS)
    const second = queue.receive(2, VISIBILITY_MS, noRedrive).find((m) => m.id === 'a')
    expect(second?.receiveCount).toBe(2)
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle)

    expect(queue.delete(first?.receiptHandle ?? '')).toBeUndefined()
    expect(queue.size).toBe(2)
    expect(queue.delete(second?.receiptHandle ?? '')).toBe('a')
    expect(queue.stored().map((m) => m.id)).toEqual(['b'])
  })

  it('deletes with the newest handle even after the visibility timeout, while nobody received it again', () => {
    const time = clock()
    const queue = new SqsQueue(5, time.now)
    queue.send(message('a'))
    const [received] = queue.receive(1, VISIBILITY_MS, noRedrive)
    time.advance(2 * VISIBILITY_MS)
    expect(queue.delete(received?.receiptHandle ?? '')).toBe('a')
    expect(queue.receive(1, VISIBILITY_MS, noRedrive)).toEqual([])
  })

  it('changes visibility by the newest receipt handle only, and only while the message is in flight', () => {
    const time = clock()
    const queue = new SqsQueue(5, time.now)
    queue.send(message('a'))
    const [first] = queue.receive(1, VISIBILITY_MS, noRedrive)
    expect(queue.changeVisibility(first?.receiptHandle ?? '', 10)).toBe('changed')
    time.advance(10)
    const [second] = queue.receive(1, VISIBILITY_MS, noRedrive)
    expect(second?.receiveCount).toBe(2)
    expect(queue.changeVisibility(first?.receiptHandle ?? '', 0)).toBe('stale-receipt-handle')
    time.advance(VISIBILITY_MS)
    expect(queue.changeVisibility(second?.receiptHandle ?? '', 0)).toBe('not-in-flight')
  })

  it('moves a message to the dead-letter queue when it would be received for the (maxReceiveCount+1)th time', () => {
    const time = clock()
    const queue = new SqsQueue(3, time.now)
    queue.send(message('a'))
    const counts: number[] = []
    for (let receive = 0; receive < 3; receive++) {
      counts.push(...queue.receive(1, VISIBILITY_MS, noRedrive).map((m) => m.receiveCount))
      time.advance(VISIBILITY_MS)
    }
    const redriven: StoredMessage[] = []
    expect(queue.receive(1, VISIBILITY_MS, (m) => redriven.push(m))).toEqual([])
    expect(counts).toEqual([1, 2, 3])
    expect(redriven.map((m) => [m.id, m.receiveCount])).toEqual([['a', 3]])
    expect(queue.size).toBe(0)
  })

  it('lets an abandoned receive act no more: its handle neither deletes nor changes visibility', () => {
    const time = clock()
    const queue = new SqsQueue(5, time.now)
    queue.send(message('a'))
    const [received] = queue.receive(1, VISIBILITY_MS, noRedrive)
    queue.abandon(received?.receiptHandle ?? '')
    expect(queue.delete(received?.receiptHandle ?? '')).toBeUndefined()
    expect(queue.receive(1, VISIBILITY_MS, noRedrive)).toEqual([])
    time.advance(VISIBILITY_MS)
    expect(queue.receive(1, VISIBILITY_MS, noRedrive).map((m) => m.id)).toEqual(['a'])
  })
})
