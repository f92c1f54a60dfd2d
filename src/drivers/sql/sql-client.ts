import { mkdir } from 'node:fs/promises'
import { type DirLock, lockDirectory } from './dir-lock.js'
import { memoiseAsync } from './memoise.js'

/** Anything that runs one parameterised statement (`$1`, `$2`, … placeholders). */
export interface SqlQueryable {
  /** Runs one statement; `params` are bound in order. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>
}

/**
 * The subset of a PostgreSQL client that the SQL drivers use. PGlite satisfies it through
 * {@link createPgliteClient}; a `pg` `Client` or `Pool` through a thin adapter (a pool adapter must run
 * `transaction` on one checked-out connection).
 */
export interface SqlClient extends SqlQueryable {
  /** Runs a script of several statements without parameters, when the client supports it. */
  exec?(sql: string): Promise<void>
  /**
   * Runs `fn` inside one transaction on one connection: commit when it resolves, roll back when it
   * rejects. Without it, the drivers send `begin`/`commit`/`rollback` through `query`, which is only
   * correct for a single-connection client.
   */
  transaction?<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>
  /** Releases the connection(s); idempotent. */
  close(): Promise<void>
}

/** A ready client, or an async factory called (once) on first use. */
export type SqlClientSource = SqlClient | (() => Promise<SqlClient>)

/** Options of {@link createPgliteClient}. */
export interface PgliteClientOptions {
  /**
   * Directory holding the database files; created when missing. One directory can be open by only one
   * PGlite instance at a time. @default undefined (in-memory database)
   */
  dataDir?: string | undefined
}

/**
 * Opens a PGlite database (loaded lazily) and adapts it to {@link SqlClient}. PGlite runs one statement
 * at a time and queues concurrent calls itself; a transaction holds the queue until it ends. A data directory is
 * locked for this process while open (see {@link lockDirectory}).
 */
export async function createPgliteClient(options: PgliteClientOptions = {}): Promise<SqlClient> {
  const { PGlite } = await import('@electric-sql/pglite')
  let dirLock: DirLock | null = null
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true })
    dirLock = await lockDirectory(options.dataDir, 'embedded database')
  }
  let db: InstanceType<typeof PGlite>
  try {
    db = options.dataDir === undefined ? new PGlite() : new PGlite(options.dataDir)
    await db.waitReady
  } catch (error) {
    await dirLock?.release()
    throw error
  }
  let closing: Promise<void> | undefined
  const wrap = (target: { query: typeof db.query }): SqlQueryable => ({
    async query<R>(text: string, params?: unknown[]) {
      const result = await target.query<R>(text, params)
      return { rows: result.rows }
    },
  })
  const base = wrap(db)
  return {
    query: base.query,
    async exec(sql: string) {
      await db.exec(sql)
    },
    transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(wrap(tx)))
    },
    close() {
      closing ??= (db.closed ? Promise.resolve() : db.close()).finally(() => dirLock?.release())
      return closing
    },
  }
}

/** Runs `fn` in a transaction, through `client.transaction` when present, else `begin`/`commit`. */
export async function withTransaction<T>(
  client: SqlClient,
  fn: (tx: SqlQueryable) => Promise<T>,
): Promise<T> {
  if (client.transaction) return client.transaction(fn)
  await client.query('begin')
  try {
    const result = await fn(client)
    await client.query('commit')
    return result
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  }
}

/** Resolves a {@link SqlClientSource} once, on first call; a failed factory call is retried next time. */
export function memoiseClient(source: SqlClientSource): () => Promise<SqlClient> {
  if (typeof source !== 'function') return () => Promise.resolve(source)
  return memoiseAsync(source)
}
