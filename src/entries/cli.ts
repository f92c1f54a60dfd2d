import yargs, { type Argv } from 'yargs'
import { loadSettings } from '../config/load.js'
import type { Settings } from '../config/schema.js'
import { EtlError } from '../support/errors.js'
import type { RunResult } from '../support/etl-app.js'
import { createLogger, type Logger } from '../support/logger.js'
import { type Clock, systemClock } from '../util/dates.js'
import { runCatalogQuery } from './catalog-query.js'
import { overridesFromFlags, withAppOptions, withGlobalOptions } from './cli-options.js'
import { runDbMigrate } from './db-migrate.js'
import { runDemo } from './demo.js'
import { APPS } from './registry.js'

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

/** Runs `catalog-etl <command> [flags]` and resolves the exit code; never calls `process.exit`. */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<ExitCode> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text))
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text))
  const clock = io.clock ?? systemClock()
  let exitCode: ExitCode = 0

  const settingsFor = (args: Record<string, unknown>): Settings =>
    loadSettings({
      env: io.env,
      cwd: io.cwd,
      configFile: typeof args.config === 'string' ? args.config : undefined,
      overrides: overridesFromFlags(args),
    })
  const loggerFor = (settings: Settings): Logger =>
    io.logger ??
    createLogger({
      level: settings.log.level,
      pretty: settings.log.pretty === 'auto' ? process.stderr.isTTY === true : settings.log.pretty,
    })
  const report = (result: RunResult) => {
    if (result.exitCode !== 0) exitCode = result.exitCode
    const failed = result.failures.length > 0 ? `, ${result.failures.length} failed` : ''
    stdout(`${result.app}: ${result.items} item(s), ${result.records} record(s)${failed}\n`)
    for (const failure of result.failures) stdout(`  failed: ${failure.label}: ${failure.error.message}\n`)
  }

  let parser: Argv = withGlobalOptions(yargs([...argv]))
    .scriptName('catalog-etl')
    .usage('$0 <command> [options]\n\nCatalog-driven, incremental ETL for the transportation data lake.')
  for (const app of APPS) {
    const def = app.definition
    parser = parser.command(
      def.name,
      `${def.description} (${def.original})`,
      (y) => withAppOptions(y, def),
      async (args) => {
        const settings = settingsFor(args)
        const runtime = {
          settings,
          clock,
          logger: loggerFor(settings),
          ...(io.signal ? { signal: io.signal } : {}),
        }
        const result = await new app(args, runtime).run()
        report(result)
      },
    )
  }
  parser = parser
    .command('catalog', 'inspect the catalog', (y) =>
      y
        .command(
          'query',
          'list catalog rows',
          (q) =>
            q
              .option('repository', {
                type: 'string',
                array: true,
                describe: 'repository name(s); default: all',
              })
              .option('source', { type: 'string', array: true, describe: 'data source code(s) (bt, wt, gs)' })
              .option('start_date', {
                alias: ['s', 'start-date'],
                type: 'string',
                describe: 'N days back, or a date',
              })
              .option('end_date', {
                alias: ['e', 'end-date'],
                type: 'string',
                describe: 'end date, exclusive',
              })
              .option('debug', { type: 'boolean', describe: 'the debug catalog and -test repositories' })
              .option('json', { type: 'boolean', describe: 'print a JSON array' }),
          async (args) => {
            const settings = settingsFor(args)
            await runCatalogQuery({
              settings,
              logger: loggerFor(settings),
              clock,
              repositories: args.repository,
              sources: args.source,
              start: args.start_date ?? null,
              end: args.end_date ?? null,
              debug: args.debug === true,
              json: args.json === true,
              write: stdout,
            })
          },
        )
        .demandCommand(1, 'Choose a catalog subcommand: query'),
    )
    .command('db', 'manage the catalog database', (y) =>
      y
        .command(
          'migrate',
          'create or update the catalog and perfmet tables in PostgreSQL (idempotent)',
          (m) =>
            m
              .option('url', {
                type: 'string',
                describe: 'postgres:// URL (default: the catalog URL with catalog.kind postgres)',
              })
              .option('schema', {
                type: 'string',
                describe: 'schema of the tables (default: catalog.schema, "api")',
              })
              .option('debug', { type: 'boolean', describe: 'migrate the debug catalog target' })
              .option('roles', {
                type: 'boolean',
                describe: 'also create the PostgREST roles and grant them',
              })
              .option('anon-role', {
                type: 'string',
                default: 'web_anon',
                describe: 'PostgREST anonymous role (no access)',
              })
              .option('writer-role', {
                type: 'string',
                default: 'catalog_writer',
                describe: 'role of the JWT "role" claim (full access)',
              })
              .option('authenticator-role', {
                type: 'string',
                default: 'authenticator',
                describe: 'login role PostgREST connects as',
              }),
          async (args) => {
            const settings = settingsFor(args)
            await runDbMigrate({
              settings,
              write: stdout,
              debug: args.debug === true,
              ...(args.url ? { url: args.url } : {}),
              ...(args.schema ? { schema: args.schema } : {}),
              ...(args.roles
                ? {
                    roles: {
                      anon: args['anon-role'],
                      writer: args['writer-role'],
                      authenticator: args['authenticator-role'],
                    },
                  }
                : {}),
            })
          },
        )
        .demandCommand(1, 'Choose a db subcommand: migrate'),
    )
    .command(
      'demo',
      'generate synthetic AWAM files and run the Bluetooth pipeline on the embedded default',
      (y) =>
        y.option('days', {
          type: 'number',
          default: 7,
          describe: 'days of synthetic data, ending yesterday',
        }),
      async (args) => {
        const settings = settingsFor(args)
        const results = await runDemo({
          settings,
          logger: loggerFor(settings),
          clock,
          days: args.days,
          write: stdout,
        })
        for (const result of results) if (result.exitCode !== 0) exitCode = result.exitCode
      },
    )
    .demandCommand(1, 'Name a command (an app such as bt-json-standard, or catalog, or demo).')
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
    if (!(error instanceof EtlError) && error instanceof Error && error.stack) stderr(`${error.stack}\n`)
    return 1
  }
}

class UsageError extends Error {
  override name = 'UsageError'
}
