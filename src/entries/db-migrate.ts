import type { Settings } from '../config/schema.js'
import { type MigrateResult, migrateDatabase, type PostgrestRoles } from '../drivers/sql/migrate.js'
import { createPgClient } from '../drivers/sql/pg-client.js'
import { ConfigError } from '../support/errors.js'

/** Options of {@link runDbMigrate}. */
export interface DbMigrateOptions {
  readonly settings: Settings
  /** PostgreSQL URL; default: the catalog target's URL when `catalog.kind` is `postgres`. */
  readonly url?: string
  /** Migrate the debug target instead of production. */
  readonly debug?: boolean
  /** Schema of the tables; default: `catalog.schema`. */
  readonly schema?: string
  /** Also create the PostgREST roles and grants. */
  readonly roles?: PostgrestRoles
  /** Receives the summary text. */
  readonly write: (text: string) => void
}

function hidePassword(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = 'redacted'
  return parsed.toString()
}

/**
 * `catalog-etl db migrate`: creates or updates the catalog and perfmet tables (and optionally the PostgREST roles
 * and grants) in a PostgreSQL database. Idempotent; safe to run on every deploy.
 */
export async function runDbMigrate(options: DbMigrateOptions): Promise<MigrateResult> {
  const { settings } = options
  const target = options.debug ? settings.catalog.debug : settings.catalog.production
  const url = options.url ?? (settings.catalog.kind === 'postgres' ? target.url : null)
  if (!url) {
    throw new ConfigError(
      'db migrate needs a PostgreSQL URL: pass --url postgres://… (with catalog.kind "postgres" the catalog URL is used).',
    )
  }
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ConfigError(`--url must be a postgres:// URL (got ${hidePassword(url)}).`)
  const schema = options.schema ?? settings.catalog.schema
  const client = await createPgClient({ connectionString: url, maxConnections: 1 })
  try {
    const result = await migrateDatabase(client, {
      schema,
      ...(options.roles ? { roles: options.roles } : {}),
    })
    const what = result.applied.length > 0 ? `applied ${result.applied.join(', ')}` : 'already up to date'
    options.write(
      `db migrate: ${hidePassword(url)} schema "${schema}": ${what}${result.granted ? '; roles and grants applied' : ''}\n`,
    )
    return result
  } finally {
    await client.close()
  }
}
