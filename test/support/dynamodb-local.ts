import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { tableDefinition } from '#shared/adapters/dynamodb-tables.ts'

/** The npm tarball that ships AWS's DynamoDB Local jar (packed, never installed). */
const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30'
const CACHE_DIRECTORY = resolve('node_modules/.cache/tagwarden-dynamodb-local')
const EMULATOR_DIRECTORY = join(CACHE_DIRECTORY, 'package', 'emulator')
const STARTUP_ATTEMPTS = 200
const STARTUP_POLL_MS = 100

const run = promisify(execFile)

export interface DynamoDbLocal {
  endpoint: string
  clientConfig: {
    endpoint: string
    region: string
    credentials: { accessKeyId: string; secretAccessKey: string }
  }
  close(): Promise<void>
}

/**
 * The jar, packed and extracted once. Two test files may get here together: each extracts into its own
 * temporary directory and renames it into place; the loser of the rename finds the winner's copy.
 */
async function emulatorDirectory(): Promise<string> {
  if (existsSync(join(EMULATOR_DIRECTORY, 'DynamoDBLocal.jar'))) return EMULATOR_DIRECTORY
  mkdirSync(CACHE_DIRECTORY, { recursive: true })
  const scratch = mkdtempSync(join(CACHE_DIRECTORY, 'extract-'))
  try {
    const { stdout } = await run('npm', ['pack', SIMULATOR_PACKAGE, '--silent'], { cwd: scratch })
    const tarball = stdout.trim().split('\n').at(-1) ?? ''
    await run('tar', ['-xzf', join(scratch, tarball), '-C', scratch])
    try {
      renameSync(join(scratch, 'package'), join(CACHE_DIRECTORY, 'package'))
    } catch (error) {
      if (!existsSync(join(EMULATOR_DIRECTORY, 'DynamoDBLocal.jar'))) throw error
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  return EMULATOR_DIRECTORY
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  await new Promise<void>((done) => server.close(() => done()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function answers(client: DynamoDBClient, java: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < STARTUP_ATTEMPTS; attempt++) {
    if (java.exitCode !== null) throw new Error(`DynamoDB Local exited with ${java.exitCode}`)
    try {
      await client.send(new ListTablesCommand({}))
      return
    } catch {
      await new Promise((done) => setTimeout(done, STARTUP_POLL_MS))
    }
  }
  throw new Error('DynamoDB Local did not answer')
}

/**
 * AWS's DynamoDB Local (real TransactWriteItems, unlike dynalite), in memory, with the given tables.
 * It has no option to bind one interface, so it listens on a random port of every interface while the
 * test runs; clients reach it on 127.0.0.1. Telemetry is switched off (no network).
 */
export async function startDynamoDbLocal(tableNames: ReadonlyArray<string>): Promise<DynamoDbLocal> {
  const directory = await emulatorDirectory()
  const port = await freePort()
  const java = spawn(
    'java',
    [
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(directory, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    // Its cwd is where it leaves its metadata file: the cache, not the repository.
    { stdio: 'ignore', cwd: directory },
  )
  const endpoint = `http://127.0.0.1:${port}`
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }
  const client = new DynamoDBClient({ ...clientConfig, maxAttempts: 1 })
  const stop = async () => {
    if (java.exitCode !== null) return
    const exited = new Promise((done) => java.once('exit', done))
    java.kill('SIGTERM')
    await exited
  }
  try {
    await answers(client, java)
    for (const name of tableNames) await client.send(new CreateTableCommand(tableDefinition(name)))
  } catch (error) {
    await stop()
    throw error
  } finally {
    client.destroy()
  }
  return { endpoint, clientConfig, close: stop }
}
