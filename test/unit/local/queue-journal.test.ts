import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type JournalRecord, QueueJournal } from '../../../local/queue-journal.ts'

const send = (id: string): JournalRecord => ({
  op: 'send',
  queue: 'ga4',
  id,
  body: `{"n":"${id}"}`,
  sentAt: 1,
})

describe('the local queue journal', () => {
  let dir: string
  let path: string
  const warnings: string[] = []
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tagwarden-journal-'))
    path = join(dir, 'queues.jsonl')
    warnings.length = 0
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('has every record on disk once its append resolves, in order', async () => {
    const journal = await QueueJournal.open(path, () => [])
    await Promise.all([journal.append(send('a')), journal.append(send('b'))])
    await journal.append({ op: 'delete', queue: 'ga4', ids: ['a'] })
    expect(QueueJournal.read(path, (line) => warnings.push(line)).map((record) => record.op)).toEqual([
      'send',
      'send',
      'delete',
    ])
    await journal.close()
  })

  it('skips a line cut short by a crash and keeps the rest', async () => {
    const journal = await QueueJournal.open(path, () => [])
    await journal.append(send('a'))
    await journal.close()
    appendFileSync(path, '{"op":"send","queue":"ga4","id":"b","bo')
    const records = QueueJournal.read(path, (line) => warnings.push(line))
    expect(records).toEqual([{ ...send('a'), receiveCount: 0 }])
    expect(warnings).toHaveLength(1)
  })

  it('rewrites itself as the snapshot of what is still queued after enough appends', async () => {
    const live = [send('kept')]
    const journal = await QueueJournal.open(path, () => live, 10)
    for (let n = 0; n < 50; n++) await journal.append({ op: 'delete', queue: 'ga4', ids: [`gone-${n}`] })
    await journal.close()
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    expect(lines.length).toBeLessThan(15)
    expect(QueueJournal.read(path, (line) => warnings.push(line))[0]).toEqual({
      ...send('kept'),
      receiveCount: 0,
    })
  })
})
