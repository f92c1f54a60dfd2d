import type { CatalogDriver } from '../../support/catalog-driver.js'
import { createPgliteDatabase, type PgliteDatabase } from '../sql/pglite-database.js'

/** Options of {@link createPgliteCatalog}. */
export interface PgliteCatalogOptions {
  /**
   * Directory of the database files (created when missing); ignored when `database` is given.
   * @default undefined (in memory)
   */
  dataDir?: string | undefined
  /** A database shared with other drivers (e.g. the perfmet driver); it stays open when this driver closes. */
  database?: PgliteDatabase | undefined
  /** Schema of the catalog table, when this driver opens its own database. @default 'api' */
  schema?: string | undefined
  /** Rows per page while streaming a query. @default 1000 */
  pageSize?: number | undefined
  /** Driver name for logs. @default 'pglite' */
  name?: string | undefined
}

/**
 * The embedded catalog: the SQL catalog driver on PGlite (file-backed with `dataDir`). Without `database`
 * it opens its own PGlite instance, closed by `close()`.
 */
export function createPgliteCatalog(options: PgliteCatalogOptions = {}): CatalogDriver {
  const database =
    options.database ??
    createPgliteDatabase({ dataDir: options.dataDir, schema: options.schema, closeWhenUnused: true })
  return database.catalog({ pageSize: options.pageSize, name: options.name })
}
