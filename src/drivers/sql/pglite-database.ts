import type { CatalogDriver } from '../../support/catalog-driver.js'
import { createSqlCatalog } from './catalog-sql.js'
import { createSqlPerfmet, type SqlPerfmetDriver } from './perfmet-sql.js'
import { DEFAULT_SCHEMA } from './schema.js'
import { createPgliteClient, type SqlClient } from './sql-client.js'

/** Options of {@link createPgliteDatabase}. */
export interface PgliteDatabaseOptions {
  /** Directory of the database files (created when missing). @default undefined (in memory) */
  dataDir?: string | undefined
  /** Schema of the catalog and perfmet tables. @default 'api' */
  schema?: string | undefined
  /**
   * Close the PGlite instance as soon as the last driver made by this database is closed (it reopens
   * lazily if a new driver is used afterwards). Otherwise it stays open until `close()`. @default false
   */
  closeWhenUnused?: boolean | undefined
}

/** Options of the catalog driver made by {@link PgliteDatabase.catalog}. */
export interface PgliteCatalogDriverOptions {
  /** Rows per page while streaming a query. @default 1000 */
  pageSize?: number | undefined
  /** Driver name for logs. @default 'pglite' */
  name?: string | undefined
  /** Table name. @default 'data_lake_cat' */
  table?: string | undefined
}

/** Options of the perfmet driver made by {@link PgliteDatabase.perfmet}. */
export interface PglitePerfmetDriverOptions {
  /** Driver name for logs. @default 'pglite' */
  name?: string | undefined
}

/**
 * One PGlite database (one data directory can be opened by one instance only) shared by any number of
 * catalog and perfmet drivers. The instance opens lazily on first use; each driver creates its tables
 * (idempotently) on its own first use.
 */
export interface PgliteDatabase {
  /** The shared client, opened on first call. Rejects after `close()`. */
  client(): Promise<SqlClient>
  /** A catalog driver on this database; closing it releases its reference only. */
  catalog(options?: PgliteCatalogDriverOptions): CatalogDriver
  /** A perfmet driver on this database; closing it releases its reference only. */
  perfmet(options?: PglitePerfmetDriverOptions): SqlPerfmetDriver
  /** Closes the PGlite instance (drivers still open then fail on use); idempotent. */
  close(): Promise<void>
}

/** Opens (lazily) a PGlite database shared by the catalog and perfmet drivers; see {@link PgliteDatabase}. */
export function createPgliteDatabase(options: PgliteDatabaseOptions = {}): PgliteDatabase {
  const schema = options.schema ?? DEFAULT_SCHEMA
  let opening: Promise<SqlClient> | undefined
  let refs = 0
  let closed = false

  const client = (): Promise<SqlClient> => {
    if (closed) return Promise.reject(new Error('PGlite database is closed'))
    opening ??= createPgliteClient({ dataDir: options.dataDir }).catch((error: unknown) => {
      opening = undefined
      throw error
    })
    return opening
  }

  const shutdown = async (): Promise<void> => {
    const current = opening
    opening = undefined
    if (current) await (await current.catch(() => undefined))?.close()
  }

  const acquire = (): (() => Promise<void>) => {
    refs++
    let released = false
    return async () => {
      if (released) return
      released = true
      refs--
      if (refs === 0 && options.closeWhenUnused) await shutdown()
    }
  }

  return {
    client,
    catalog: (driverOptions = {}) =>
      createSqlCatalog({
        client,
        schema,
        table: driverOptions.table,
        pageSize: driverOptions.pageSize,
        name: driverOptions.name ?? 'pglite',
        migrate: true,
        release: acquire(),
      }),
    perfmet: (driverOptions = {}) =>
      createSqlPerfmet({
        client,
        schema,
        name: driverOptions.name ?? 'pglite',
        migrate: true,
        release: acquire(),
      }),
    async close() {
      closed = true
      await shutdown()
    },
  }
}
