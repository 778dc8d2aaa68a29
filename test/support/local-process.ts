import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { eventually } from './eventually.ts'

export interface LocalProcess {
  url: string
  dynamoEndpoint: string
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  stop(): Promise<void>
}

/** Runs the local system exactly as `npm start` does, in its own process, on a free port. */
export async function startLocalProcess(env: Record<string, string>): Promise<LocalProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
  })
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  try {
    const url = await eventually(() => output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], 30_000)
    const dynamoEndpoint = await eventually(
      () => output.match(/\(dynalite\) on (http:\/\/127\.0\.0\.1:\d+)/)?.[1],
    )
    return { url, dynamoEndpoint, output: () => output, stop }
  } catch (error) {
    await stop()
    throw new Error(`local system did not start:\n${output}`, { cause: error })
  }
}
