import { createDriverSet } from '../../config/factories.js'
import { createKnackClient } from '../../drivers/knack/client.js'
import { ConfigError } from '../../support/errors.js'
import { runPerfmetKnack } from '../perfmet-knack.js'
import type { CommandModule } from './command-context.js'

/**
 * `catalog-etl perfmet-knack [-r DATE]`: rewrites the Knack performance dashboard from the perfmet tables (the
 * original's `util/perfmet_knack.py`, daily at 09:30).
 */
export const perfmetKnackCommand: CommandModule = (parser, ctx) =>
  parser.command(
    'perfmet-knack',
    'export the latest perfmet jobs and 7-day sensor observations to the Knack dashboard (perfmet_knack.py)',
    (y) =>
      y
        .option('last_run_date', {
          alias: ['r', 'last-run-date'],
          type: 'string',
          describe: 'refuse when the newest job day is before this date (default: yesterday)',
        })
        .option('debug', { type: 'boolean', describe: 'read the debug perfmet target' }),
    async (args) => {
      const settings = ctx.settingsFor(args)
      const logger = ctx.loggerFor(settings)
      const { perfmetAppId, perfmetApiKey, baseUrl, maxRequestsPerSecond } = settings.knack
      if (!perfmetAppId) {
        throw new ConfigError('perfmet-knack needs knack.perfmetAppId (CATALOG_ETL_KNACK_PERFMET_APP_ID).')
      }
      const drivers = createDriverSet(settings, { debug: args.debug === true, logger })
      try {
        const perfmet = drivers.perfmet()
        if (!perfmet)
          throw new ConfigError('perfmet-knack needs perfmet.kind "catalog" (the perfmet tables to read).')
        const knack = createKnackClient({
          baseUrl,
          appId: perfmetAppId,
          apiKey: perfmetApiKey.reveal(),
          maxRequestsPerSecond,
          logger,
        })
        const summary = await runPerfmetKnack({
          perfmet,
          knack,
          clock: ctx.clock,
          logger,
          lastRunDate: args.last_run_date ?? null,
        })
        const skipped = summary.skipped.map((s) => `${s.dataSource} ${s.dataType} (${s.reason})`).join(', ')
        ctx.stdout(
          `perfmet-knack: ${summary.jobsCreated} job record(s), ${summary.observationsCreated} observation record(s)` +
            `${skipped ? `; skipped ${skipped}` : ''}\n`,
        )
      } finally {
        await drivers.close()
      }
    },
  )
