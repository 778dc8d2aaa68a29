import { existsSync, readFileSync } from 'node:fs'
import { type FileHandle, open, rename } from 'node:fs/promises'
import { z } from 'zod'

/** After this many appended records the journal is rewritten as a snapshot of what is still queued. */
const COMPACT_AFTER_RECORDS = 20_000

const journalRecordSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('send'),
    queue: z.string(),
    id: z.string(),
    body: z.string(),
    sentAt: z.number(),
    receiveCount: z.number().int().min(0).default(0),
    firstReceiveAt: z.number().optional(),
  }),
  z.object({ op: z.literal('receive'), queue: z.string(), ids: z.array(z.string()) }),
  z.object({ op: z.literal('delete'), queue: z.string(), ids: z.array(z.string()) }),
  z.object({
    op: z.literal('dead-letter'),
    queue: z.string(),
    id: z.string(),
    body: z.string(),
    reason: z.string(),
    at: z.string(),
  }),
  /** Dead letters moved back to their queue, each as a fresh message with the dead letter's body. */
  z.object({
    op: z.literal('redrive'),
    queue: z.string(),
    moves: z.array(z.object({ deadLetterId: z.string(), id: z.string(), sentAt: z.number() })),
  }),
])
export type JournalRecord = z.input<typeof journalRecordSchema>
export type ReplayedRecord = z.output<typeof journalRecordSchema>

/**
 * The local queues' write-ahead journal: one JSON line per change, appended in order. Appends are
 * grouped: every record waiting when a write starts goes out in one write + fdatasync, and an
 * append resolves once its record is on disk, so a message the collector acknowledged survives
 * SIGKILL (and a machine crash). A restart replays the file; it is compacted to a snapshot of what is
 * still queued at start and after COMPACT_AFTER_RECORDS records.
 */
export class QueueJournal {
  private pending: string[] = []
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []
  private writing: Promise<void> | undefined
  private appendedSinceCompaction = 0

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    private readonly snapshot: () => JournalRecord[],
    private readonly compactAfterRecords: number,
  ) {}

  /** Reads what an earlier run left, skipping a line a crash cut short. */
  static read(path: string, warn: (line: string) => void): ReplayedRecord[] {
    if (!existsSync(path)) return []
    const records: ReplayedRecord[] = []
    for (const [index, line] of readFileSync(path, 'utf8').split('\n').entries()) {
      if (line.trim() === '') continue
      const parsed = journalRecordSchema.safeParse(parseJson(line))
      if (parsed.success) records.push(parsed.data)
      else
        warn(`[queue] ${path}:${index + 1}: unreadable journal line skipped (a write cut short by a crash)`)
    }
    return records
  }

  /** Starts a fresh journal at `path` holding `snapshot()` (the state replayed from the old one). */
  static async open(
    path: string,
    snapshot: () => JournalRecord[],
    compactAfterRecords = COMPACT_AFTER_RECORDS,
  ): Promise<QueueJournal> {
    return new QueueJournal(path, await writeSnapshot(path, snapshot()), snapshot, compactAfterRecords)
  }

  /** Resolves once the record is on disk. */
  append(record: JournalRecord): Promise<void> {
    this.pending.push(`${JSON.stringify(record)}\n`)
    const written = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    this.writing ??= this.writePending()
    return written
  }

  async close(): Promise<void> {
    await this.writing
    await this.handle.close()
  }

  private async writePending(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const waiters = this.waiters
        this.waiters = []
        try {
          if (this.appendedSinceCompaction >= this.compactAfterRecords) {
            // The snapshot is the in-memory state, which already holds every pending change.
            this.pending = []
            await this.handle.close()
            this.handle = await writeSnapshot(this.path, this.snapshot())
            this.appendedSinceCompaction = 0
          } else {
            const lines = this.pending
            this.pending = []
            await this.handle.write(lines.join(''))
            await this.handle.datasync()
            this.appendedSinceCompaction += lines.length
          }
          for (const waiter of waiters) waiter.resolve()
        } catch (error) {
          for (const waiter of waiters) waiter.reject(error)
        }
      }
    } finally {
      this.writing = undefined
    }
  }
}

/** Writes the records to a new file, makes it durable, puts it in place and returns it open for appending. */
async function writeSnapshot(path: string, records: ReadonlyArray<JournalRecord>): Promise<FileHandle> {
  const temporary = `${path}.tmp`
  const file = await open(temporary, 'w')
  await file.write(records.map((record) => `${JSON.stringify(record)}\n`).join(''))
  await file.datasync()
  await file.close()
  await rename(temporary, path)
  return open(path, 'a')
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}
