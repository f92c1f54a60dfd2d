import { createDriverSet } from '../../config/factories.js'
import type { Settings } from '../../config/schema.js'
import type { AppRuntime, RunResult } from '../../support/etl-app.js'
import { createJournalObserver } from '../../support/journal-observer.js'
import type { Logger } from '../../support/logger.js'
import { createMetricsObserver } from '../../support/observers/metrics.js'
import { createProgressObserver } from '../../support/observers/progress.js'
import { createRunSummaryObserver } from '../../support/observers/run-summary.js'
import { runLockKey } from '../../support/run-lock.js'
import type { RunObserver } from '../../support/run-observer.js'
import { withRunLock } from '../../support/with-run-lock.js'
import { withAppOptions } from '../cli-options.js'
import { APPS, type AppClass } from '../registry.js'
import type { CommandContext, CommandModule } from './command-context.js'

function observersFor(
  args: Record<string, unknown>,
  settings: Settings,
  journal: RunObserver,
): RunObserver[] {
  const summaryFile = typeof args['summary-file'] === 'string' ? args['summary-file'] : undefined
  const metricsFile = typeof args['metrics-file'] === 'string' ? args['metrics-file'] : undefined
  const pushgateway = typeof args.pushgateway === 'string' ? args.pushgateway : undefined
  return [
    journal,
    ...(summaryFile ? [createRunSummaryObserver({ file: summaryFile, settings })] : []),
    ...(metricsFile || pushgateway
      ? [
          createMetricsObserver({
            file: metricsFile,
            pushgateway: pushgateway ? { url: pushgateway } : undefined,
          }),
        ]
      : []),
    createProgressObserver(),
  ]
}

/**
 * Runs one app from the CLI: its own drivers, the journal and the requested observers, and the overlap lock of
 * (app, data source) around the run (a dry run takes no lock and records nothing).
 */
export async function runAppCommand(
  app: AppClass,
  args: Record<string, unknown>,
  ctx: CommandContext,
  logger: Logger,
  settings: Settings,
): Promise<RunResult> {
  const debug = args.debug === true
  const drivers = createDriverSet(settings, { debug, logger })
  const base: AppRuntime = {
    settings,
    clock: ctx.clock,
    logger,
    drivers,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  }
  try {
    if (args.dry_run === true) return await new app(args, base).run()
    const observers = observersFor(
      args,
      settings,
      createJournalObserver(drivers.journal(), { clock: ctx.clock }),
    )
    const key = runLockKey(app.definition.name, app.definition.dataSource)
    return await withRunLock(
      drivers.lock(),
      key,
      (_lease, lockSignal) =>
        new app(args, {
          ...base,
          observers,
          signal: ctx.signal ? AbortSignal.any([ctx.signal, lockSignal]) : lockSignal,
        }).run(),
      { logger },
    )
  } finally {
    await drivers.close()
  }
}

/** One command per registered app (`catalog-etl bt-json-standard …`). */
export const appCommands: CommandModule = (parser, ctx) => {
  let out = parser
  for (const app of APPS) {
    const def = app.definition
    out = out.command(
      def.name,
      `${def.description} (${def.original})`,
      (y) =>
        withAppOptions(y, def)
          .option('summary-file', { type: 'string', describe: 'write the run summary JSON here' })
          .option('metrics-file', {
            type: 'string',
            describe: 'write Prometheus metrics here (node exporter textfile collector)',
          })
          .option('pushgateway', {
            type: 'string',
            describe: 'push Prometheus metrics to this push-gateway URL',
          }),
      async (args) => {
        const settings = ctx.settingsFor(args)
        ctx.report(await runAppCommand(app, args, ctx, ctx.loggerFor(settings), settings))
      },
    )
  }
  return out
}
