import type { CatalogDriver } from '../../support/catalog-driver.js'
import { createSqlCatalog } from './catalog-sql.js'
import { memoiseAsync } from './memoise.js'
import { createSqlPerfmet, type SqlPerfmetDriver } from './perfmet-sql.js'
import { createPgClient } from './pg-client.js'
import { DEFAULT_SCHEMA } from './schema.js'
import type { SqlClient } from './sql-client.js'

/** Options of {@link createPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** `postgres://user@host:port/db`; the password may come from `PGPASSWORD` instead of the URL. */
  readonly url: string
  /** Schema of the catalog and perfmet tables. @default 'api' */
  readonly schema?: string
  /** Pool size. @default 4 */
  readonly maxConnections?: number
  /** Create missing tables on first use (normally `catalog-etl db migrate` does it once). @default false */
  readonly migrate?: boolean
}

/** A PostgreSQL database shared by the catalog and perfmet drivers (one connection pool). */
export interface PostgresDatabase {
  /** The pool's client, connected on first use. */
  client(): Promise<SqlClient>
  catalog(): CatalogDriver
  perfmet(): SqlPerfmetDriver
  /** Ends the pool; idempotent. */
  close(): Promise<void>
}

/**
 * Direct PostgreSQL access with `pg` for the catalog and perfmet, running the same SQL as the embedded PGlite
 * driver. Closing a driver leaves the pool open; closing the database ends it.
 */
export function createPostgresDatabase(options: PostgresDatabaseOptions): PostgresDatabase {
  const schema = options.schema ?? DEFAULT_SCHEMA
  const client = memoiseAsync(() =>
    createPgClient({ connectionString: options.url, maxConnections: options.maxConnections ?? 4 }),
  )
  let opened = false
  let closed = false
  const open = () => {
    if (closed) return Promise.reject(new Error('The PostgreSQL database handle is closed'))
    opened = true
    return client()
  }
  const keepOpen = async () => {}
  return {
    client: open,
    catalog: () =>
      createSqlCatalog({
        client: open,
        schema,
        name: 'postgres',
        migrate: options.migrate ?? false,
        release: keepOpen,
      }),
    perfmet: () =>
      createSqlPerfmet({
        client: open,
        schema,
        name: 'postgres',
        migrate: options.migrate ?? false,
        release: keepOpen,
      }),
    async close() {
      closed = true
      if (!opened) return
      opened = false
      await (await client().catch(() => null))?.close()
    },
  }
}
