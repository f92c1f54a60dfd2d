import { parseDateArg, parseStartDateArg } from '../../util/dates.js'
import { runRetry } from '../retry.js'
import type { CommandModule } from './command-context.js'

/** `catalog-etl retry --failed [apps…] | --run ID`: re-run exactly the failed items, recorded in the journal. */
export const retryCommand: CommandModule = (parser, ctx) =>
  parser.command(
    'retry [apps..]',
    're-run exactly the items that failed (--failed: latest outcome failed; --run ID: failed in that run)',
    (y) =>
      y
        .positional('apps', {
          type: 'string',
          array: true,
          describe: 'app names for --failed (default: all)',
        })
        .option('failed', { type: 'boolean', describe: 'every item whose latest outcome is failed' })
        .option('run', { type: 'string', describe: 'the items that failed in this run id' })
        .conflicts('failed', 'run')
        .option('start_date', {
          alias: ['s', 'start-date'],
          type: 'string',
          describe: 'with --failed: only items dated from (N days back, or a date)',
        })
        .option('end_date', {
          alias: ['e', 'end-date'],
          type: 'string',
          describe: 'with --failed: only items dated before',
        })
        .option('debug', { type: 'boolean', describe: 'the debug catalog and -test repositories' }),
    async (args) => {
      const settings = ctx.settingsFor(args)
      const now = ctx.clock.now()
      const reports = await runRetry({
        settings,
        logger: ctx.loggerFor(settings),
        clock: ctx.clock,
        ...(args.run !== undefined ? { runId: args.run } : { failed: args.failed === true }),
        apps: args.apps ?? [],
        ...(args.start_date ? { from: parseStartDateArg(args.start_date, { now, dateOnly: true }) } : {}),
        ...(args.end_date ? { to: parseDateArg(args.end_date, { dateOnly: true }) } : {}),
        debug: args.debug === true,
        write: ctx.stdout,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      })
      for (const report of reports) if (report.result) ctx.report(report.result)
    },
  )
