import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface DataDir {
  /** dynalite's LevelDB: consent and config tables. */
  dynamoDirectory: string
  /** The local queues' journal: queued and dead-lettered messages. */
  queueJournal: string
  release(): void
}

const OWNER_FILE = 'owner.pid'

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError'
}

/**
 * Claims the data directory for this process (creating it), so a second `npm start` on the same
 * directory fails with a clear message instead of LevelDB's lock error. A claim left by a process
 * that died (SIGKILL) is taken over.
 */
export function claimDataDir(path: string): DataDir {
  mkdirSync(path, { recursive: true })
  const owner = join(path, OWNER_FILE)
  const previous = Number(readOr(owner, ''))
  if (Number.isInteger(previous) && previous > 0 && previous !== process.pid && isAlive(previous))
    throw new DataDirInUseError(
      `data directory ${path} is in use by process ${previous}; stop it or set TAGWARDEN_DATA_DIR`,
    )
  writeFileSync(owner, String(process.pid))
  return {
    dynamoDirectory: join(path, 'dynamodb'),
    queueJournal: join(path, 'queues.jsonl'),
    release: () => rmSync(owner, { force: true }),
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return fallback
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM'
  }
}
