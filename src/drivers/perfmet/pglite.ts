import type { SqlPerfmetDriver } from '../sql/perfmet-sql.js'
import { createPgliteDatabase, type PgliteDatabase } from '../sql/pglite-database.js'

/** Options of {@link createPglitePerfmet}. */
export interface PglitePerfmetOptions {
  /**
   * Directory of the database files (created when missing); ignored when `database` is given.
   * @default undefined (in memory)
   */
  dataDir?: string | undefined
  /** A database shared with other drivers (e.g. the catalog driver); it stays open when this driver closes. */
  database?: PgliteDatabase | undefined
  /** Schema of the perfmet tables, when this driver opens its own database. @default 'api' */
  schema?: string | undefined
  /** Driver name for logs. @default 'pglite' */
  name?: string | undefined
}

/**
 * The embedded perfmet sink: the SQL perfmet driver on PGlite (file-backed with `dataDir`). Without
 * `database` it opens its own PGlite instance, closed by `close()`.
 */
export function createPglitePerfmet(options: PglitePerfmetOptions = {}): SqlPerfmetDriver {
  const database =
    options.database ??
    createPgliteDatabase({ dataDir: options.dataDir, schema: options.schema, closeWhenUnused: true })
  return database.perfmet({ name: options.name })
}
