import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb'
import dynalite from 'dynalite'
import { tableDefinition } from '#shared/adapters/dynamodb-tables.ts'

export interface EmbeddedDynamo {
  endpoint: string
  /** SDK client settings that reach the embedded server (dummy credentials, fixed region). */
  clientConfig: {
    endpoint: string
    region: string
    credentials: { accessKeyId: string; secretAccessKey: string }
  }
  close(): Promise<void>
}

export interface EmbeddedDynamoOptions {
  port?: number
  /**
   * Directory of an on-disk LevelDB (dynalite's `path`, through classic-level's prebuilt binding, so
   * no install script is needed); tables and items survive a restart. Absent: in memory.
   */
  path?: string
}

/** Starts a DynamoDB-compatible server (dynalite) on loopback and creates the tables it does not have yet. */
export async function startEmbeddedDynamo(
  tableNames: ReadonlyArray<string>,
  options: EmbeddedDynamoOptions = {},
): Promise<EmbeddedDynamo> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  })
  server.listen(options.port ?? 0, '127.0.0.1')
  await once(server, 'listening')
  const { port: boundPort } = server.address() as AddressInfo
  const endpoint = `http://127.0.0.1:${boundPort}`
  const clientConfig = {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }
  const client = new DynamoDBClient(clientConfig)
  try {
    for (const name of tableNames) await createUnlessPresent(client, name)
  } finally {
    client.destroy()
  }
  return {
    endpoint,
    clientConfig,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function createUnlessPresent(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(name)))
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error
  }
}
