import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
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

/** Starts an in-memory DynamoDB-compatible server (dynalite) on loopback and creates the tables. */
export async function startEmbeddedDynamo(
  tableNames: ReadonlyArray<string>,
  port = 0,
): Promise<EmbeddedDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const { port: boundPort } = server.address() as AddressInfo
  const endpoint = `http://127.0.0.1:${boundPort}`
  const clientConfig = {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }
  const client = new DynamoDBClient(clientConfig)
  for (const name of tableNames) await client.send(new CreateTableCommand(tableDefinition(name)))
  client.destroy()
  return {
    endpoint,
    clientConfig,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
