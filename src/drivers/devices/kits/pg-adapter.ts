import { createPgClient } from '../../sql/pg-client.js'
import { memoiseClient, type SqlClient, type SqlClientSource } from '../../sql/sql-client.js'
import type { KitsSqlClient } from './types.js'

/** Options of {@link createPgKitsClient}: a connection URL, or a ready client (PGlite or `pg`). */
export interface PgKitsClientOptions {
  /** `postgres://user:password@host:port/database`; used when `client` is absent. */
  readonly url?: string
  /** A ready {@link SqlClient} or a factory of one (not closed by `close()` unless `ownsClient`). */
  readonly client?: SqlClientSource
  /** Whether `close()` closes a given `client`. @default false (a client made from `url` is always closed) */
  readonly ownsClient?: boolean
  /** Pool size when connecting from `url`. @default 2 */
  readonly maxConnections?: number
}

/**
 * The PostgreSQL adapter of the KITS driver, over the project's {@link SqlClient} (node-postgres via `url`, or any
 * client such as PGlite). Connects on first query. The history column `curdatetime` is expected to be a naive
 * `timestamp` (like SQL Server's `datetime`).
 */
export function createPgKitsClient(options: PgKitsClientOptions): KitsSqlClient {
  const fromUrl = options.client === undefined
  if (fromUrl && !options.url) throw new TypeError('createPgKitsClient needs a url or a client')
  const source: SqlClientSource =
    options.client ??
    (() =>
      createPgClient({
        connectionString: options.url,
        maxConnections: options.maxConnections ?? 2,
        applicationName: 'catalog-etl-kits',
      }))
  const open = memoiseClient(source)
  let used = false
  let closed = false
  return {
    dialect: 'pg',
    async query(text, params) {
      if (closed) throw new Error('The KITS PostgreSQL client is closed')
      used = true
      const client = await open()
      const result = await client.query<Record<string, unknown>>(text, [...params])
      return result.rows
    },
    async close() {
      if (closed) return
      closed = true
      if (!(fromUrl || options.ownsClient)) return
      if (!used && typeof source === 'function') return
      await (await open()).close()
    },
  }
}
