import yargs from 'yargs'
import { loadSettings } from '../config/load.js'
import type { Settings } from '../config/schema.js'
import { EtlError } from '../support/errors.js'
import { createLogger, type Logger } from '../support/logger.js'
import { type Clock, systemClock } from '../util/dates.js'
import { overridesFromFlags, withGlobalOptions } from './cli-options.js'
import { appCommands } from './commands/app-commands.js'
import { catalogCommand } from './commands/catalog-command.js'
import type { CommandContext, CommandModule } from './commands/command-context.js'
import { dbCommand } from './commands/db-command.js'
import { demoCommand } from './commands/demo-command.js'
import { perfmetKnackCommand } from './commands/perfmet-knack-command.js'
import { planCommand } from './commands/plan-command.js'
import { retryCommand } from './commands/retry-command.js'

/** The process around the CLI, injected so that tests run commands in-process. */
export interface CliIo {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
  /** Receives command output (tables, JSON, summaries). @default process.stdout */
  readonly stdout?: (text: string) => void
  /** Receives usage errors and fatal messages. @default process.stderr */
  readonly stderr?: (text: string) => void
  readonly clock?: Clock
  /** Logger for apps; default: pino on stderr per the settings. */
  readonly logger?: Logger
  /** Cancels a running app (the binary wires SIGINT and SIGTERM to it). */
  readonly signal?: AbortSignal
}

/** Exit codes: 0 all done, 1 fatal, 2 finished with failed items. */
export type ExitCode = 0 | 1 | 2

/** Every command module, in help order. */
export const COMMANDS: readonly CommandModule[] = [
  appCommands,
  planCommand,
  retryCommand,
  perfmetKnackCommand,
  catalogCommand,
  dbCommand,
  demoCommand,
]

/** Runs `catalog-etl <command> [flags]` and resolves the exit code; never calls `process.exit`. */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<ExitCode> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text))
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text))
  let exitCode: ExitCode = 0
  const ctx: CommandContext = {
    stdout,
    clock: io.clock ?? systemClock(),
    ...(io.signal ? { signal: io.signal } : {}),
    settingsFor: (args): Settings =>
      loadSettings({
        env: io.env,
        cwd: io.cwd,
        configFile: typeof args.config === 'string' ? args.config : undefined,
        overrides: overridesFromFlags(args),
      }),
    loggerFor: (settings): Logger =>
      io.logger ??
      createLogger({
        level: settings.log.level,
        pretty: settings.log.pretty === 'auto' ? process.stderr.isTTY === true : settings.log.pretty,
      }),
    report(result) {
      if (result.exitCode !== 0) exitCode = result.exitCode
      if (result.planned) {
        stdout(`${result.app}: dry run, ${result.planned.length} item(s) would be processed\n`)
        for (const item of result.planned)
          stdout(`  ${item.date}  ${item.base}  ${item.ext}  ${item.label}\n`)
        return
      }
      const failed = result.failures.length > 0 ? `, ${result.failures.length} failed` : ''
      stdout(`${result.app}: ${result.items} item(s), ${result.records} record(s)${failed}\n`)
      for (const failure of result.failures) stdout(`  failed: ${failure.label}: ${failure.error.message}\n`)
    },
    raiseExitCode(code) {
      if (code !== 0) exitCode = code
    },
  }

  let parser = withGlobalOptions(yargs([...argv]))
    .scriptName('catalog-etl')
    .usage('$0 <command> [options]\n\nCatalog-driven, incremental ETL for the transportation data lake.')
  for (const command of COMMANDS) parser = command(parser, ctx) as typeof parser
  parser = parser
    .demandCommand(1, 'Name a command (an app such as bt-json-standard, or catalog, db, demo).')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(null)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message)
    })

  try {
    let output = ''
    await parser.parseAsync([...argv], {}, (_error, _parsed, text) => {
      output = text
    })
    if (output) stdout(`${output}\n`)
    return exitCode
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`${error.message}\nRun "catalog-etl --help" for usage.\n`)
      return 1
    }
    const message = error instanceof Error ? error.message : String(error)
    const code = error instanceof EtlError ? ` [${error.code}]` : ''
    stderr(`catalog-etl: fatal${code}: ${message}\n`)
    for (let cause = (error as Error).cause, depth = 0; cause instanceof Error && depth < 5; depth += 1) {
      if (!message.includes(cause.message)) stderr(`  caused by: ${cause.message}\n`)
      cause = cause.cause
    }
    if (!(error instanceof EtlError) && error instanceof Error && error.stack) stderr(`${error.stack}\n`)
    return 1
  }
}

class UsageError extends Error {
  override name = 'UsageError'
}
