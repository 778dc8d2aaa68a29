import { AdminRefusedError, adminClient } from './admin-client.ts'
import { parseCommandLine } from './args.ts'
import { chooseAuth, UsageError } from './auth.ts'
import { runCommand } from './commands.ts'
import { startUiServer } from './ui-server.ts'
import { USAGE } from './usage.ts'

const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommandLine(argv)
  if (!parsed.ok) return usageError(parsed.error)
  const { command, json } = parsed.invocation
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return EXIT_OK
  }

  const urlText = parsed.invocation.url ?? env.TAGWARDEN_ADMIN_URL
  if (!urlText)
    return usageError('no admin API URL: pass --url or set TAGWARDEN_ADMIN_URL (stack output AdminApiUrl)')
  if (!URL.canParse(urlText)) return usageError(`--url: not a URL "${urlText}"`)
  const url = new URL(urlText)

  try {
    const client = adminClient(
      url,
      chooseAuth(url, parsed.invocation.token ?? env.TAGWARDEN_ADMIN_TOKEN, env),
    )
    if (command.kind === 'ui') {
      const ui = await startUiServer({ client, port: command.port })
      process.stdout.write(`Admin page: ${ui.pageUrl}\n(proxying to ${url.origin}; Ctrl-C stops)\n`)
      await ui.closed
      return EXIT_OK
    }
    process.stdout.write(`${await runCommand(client, command, json)}\n`)
    return EXIT_OK
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message)
    if (error instanceof AdminRefusedError) {
      process.stderr.write(`tagwarden: ${error.message}${error.field ? ` (field: ${error.field})` : ''}\n`)
      return EXIT_FAILED
    }
    process.stderr.write(`tagwarden: ${error instanceof Error ? error.message : String(error)}\n`)
    return EXIT_FAILED
  }
}

function usageError(message: string): number {
  process.stderr.write(`tagwarden: ${message}\n\n${USAGE}\n`)
  return EXIT_USAGE
}

process.exitCode = await main(process.argv.slice(2), process.env)
