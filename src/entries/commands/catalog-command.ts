import { runCatalogQuery } from '../catalog-query.js'
import type { CommandModule } from './command-context.js'

/** `catalog-etl catalog query`: list catalog rows as a table or JSON. */
export const catalogCommand: CommandModule = (parser, ctx) =>
  parser.command('catalog', 'inspect the catalog', (y) =>
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
          const settings = ctx.settingsFor(args)
          await runCatalogQuery({
            settings,
            logger: ctx.loggerFor(settings),
            clock: ctx.clock,
            repositories: args.repository,
            sources: args.source,
            start: args.start_date ?? null,
            end: args.end_date ?? null,
            debug: args.debug === true,
            json: args.json === true,
            write: ctx.stdout,
          })
        },
      )
      .demandCommand(1, 'Choose a catalog subcommand: query'),
  )
