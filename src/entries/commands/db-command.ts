import { runDbMigrate } from '../db-migrate.js'
import type { CommandModule } from './command-context.js'

/** `catalog-etl db migrate`: create or update the catalog and perfmet tables. */
export const dbCommand: CommandModule = (parser, ctx) =>
  parser.command('db', 'manage the catalog database', (y) =>
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
          const settings = ctx.settingsFor(args)
          await runDbMigrate({
            settings,
            write: ctx.stdout,
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
