import type { SqlClient, SqlQueryable } from './sql-client.js'

/** The part of a `pg` `Pool` the adapter uses (a structural type, so tests can pass their own pool). */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
  connect(): Promise<{
    query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
    release(error?: Error | boolean): void
  }>
  end(): Promise<void>
}

type QueryTarget = { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }

/** Options of {@link createPgClient}. */
export interface PgClientOptions {
  /** `postgres://user:password@host:port/database`; ignored when `pool` is given. */
  readonly connectionString?: string
  /** A ready pool (not ended by `close()` unless `ownsPool`). */
  readonly pool?: PgPoolLike
  /** Maximum connections of the pool the adapter creates. @default 4 */
  readonly maxConnections?: number
  /** `application_name` of the connections. @default 'catalog-etl' */
  readonly applicationName?: string
}

/**
 * Adapts node-postgres to {@link SqlClient}: queries go through a pool; `transaction` runs on one checked-out
 * connection. `pg` is loaded lazily, so the embedded default never loads it.
 */
export async function createPgClient(options: PgClientOptions): Promise<SqlClient> {
  let pool = options.pool
  const owns = !pool
  if (!pool) {
    if (!options.connectionString) throw new Error('createPgClient needs a connectionString or a pool')
    const pg = await import('pg')
    const Pool = pg.default?.Pool ?? (pg as unknown as { Pool: typeof pg.default.Pool }).Pool
    const created = new Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 4,
      application_name: options.applicationName ?? 'catalog-etl',
    })
    created.on('error', () => {})
    pool = created as unknown as PgPoolLike
  }
  const active = pool
  let closed = false
  const run = async <R>(target: QueryTarget, text: string, params?: unknown[]) => {
    const result = await target.query(text, params)
    return { rows: result.rows as R[] }
  }
  return {
    query: <R>(text: string, params?: unknown[]) => run<R>(active, text, params),
    async exec(sql: string) {
      await active.query(sql)
    },
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const connection = await active.connect()
      const tx: SqlQueryable = {
        query: <R>(text: string, params?: unknown[]) => run<R>(connection, text, params),
      }
      try {
        await connection.query('begin')
        const result = await fn(tx)
        await connection.query('commit')
        connection.release()
        return result
      } catch (error) {
        await connection.query('rollback').catch(() => {})
        connection.release(true)
        throw error
      }
    },
    async close() {
      if (closed) return
      closed = true
      if (owns) await active.end()
    },
  }
}
