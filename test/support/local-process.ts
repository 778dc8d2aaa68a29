import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventually } from './eventually.ts'

export interface LocalProcess {
  url: string
  dynamoEndpoint: string
  /** Its TAGWARDEN_DATA_DIR: a fresh temporary directory unless the caller named one. */
  dataDir: string
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** SIGTERM, then waits for the exit; removes the data directory if this helper made it. */
  stop(): Promise<void>
  /** SIGKILL, as a crash: no drain, no clean-up; the data directory stays for a restart. */
  kill(): Promise<void>
}

/** A fresh, empty data directory for one test's local system (removed by the caller). */
export function temporaryDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tagwarden-data-'))
}

/**
 * Runs the local system exactly as `npm start` does, in its own process, on a free port, with its own
 * data directory so tests never share state or write to the repository's `.tagwarden/`.
 */
export async function startLocalProcess(env: Record<string, string>): Promise<LocalProcess> {
  const ownDataDir = env.TAGWARDEN_DATA_DIR === undefined
  const dataDir = env.TAGWARDEN_DATA_DIR ?? temporaryDataDir()
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: { ...process.env, PORT: '0', TAGWARDEN_ADMIN_PORT: '0', ...env, TAGWARDEN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
  })
  const exit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill(signal)
    await exited
  }
  const stop = async () => {
    await exit('SIGTERM')
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const url = await eventually(() => output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], 30_000)
    const dynamoEndpoint = await eventually(
      () => output.match(/\(dynalite\) on (http:\/\/127\.0\.0\.1:\d+)/)?.[1],
    )
    return { url, dynamoEndpoint, dataDir, output: () => output, stop, kill: () => exit('SIGKILL') }
  } catch (error) {
    await stop()
    throw new Error(`local system did not start:\n${output}`, { cause: error })
  }
}
