import { runPlan } from '../plan.js'
import type { CommandModule } from './command-context.js'

/** `catalog-etl plan [apps…]`: what a real run would process now, marked missing, failed or quarantined. */
export const planCommand: CommandModule = (parser, ctx) =>
  parser.command(
    'plan [apps..]',
    'list the items each app would process now (missing, failed or quarantined); writes nothing',
    (y) =>
      y
        .positional('apps', { type: 'string', array: true, describe: 'app names (default: all)' })
        .option('start_date', {
          alias: ['s', 'start-date'],
          type: 'string',
          describe: 'N days back, or a date (default: 30 unless -r is given)',
        })
        .option('end_date', { alias: ['e', 'end-date'], type: 'string', describe: 'end date, exclusive' })
        .option('last_run_date', { alias: ['r', 'last-run-date'], type: 'string', describe: 'last run time' })
        .option('debug', { type: 'boolean', describe: 'the debug catalog and -test repositories' })
        .option('json', { type: 'boolean', describe: 'print JSON' }),
    async (args) => {
      const settings = ctx.settingsFor(args)
      const result = await runPlan({
        settings,
        logger: ctx.loggerFor(settings),
        clock: ctx.clock,
        apps: args.apps ?? [],
        start: args.start_date ?? null,
        end: args.end_date ?? null,
        lastRun: args.last_run_date ?? null,
        debug: args.debug === true,
        json: args.json === true,
        write: ctx.stdout,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      })
      if (result.errors.length > 0) ctx.raiseExitCode(2)
    },
  )
