import { memoiseAsync } from './memoise.js'
import { memoiseClient, type SqlClient, type SqlClientSource } from './sql-client.js'

/** Options of {@link createSqlHandle}. */
export interface SqlHandleOptions {
  /** A ready client (left open by `close()`), or an async factory called on first use (closed by `close()`). */
  readonly client: SqlClientSource
  /** Statements run once, before first use (idempotent DDL); none when absent. */
  readonly migrate?: readonly string[] | undefined
  /** Called once by `close()` instead of the default client handling (a shared database stays open). */
  readonly release?: (() => Promise<void>) | undefined
  /** What the driver is, for the "is closed" error (`Perfmet driver sql`). */
  readonly what: string
}

/** The connection lifecycle a SQL driver needs: connect (and migrate) lazily once, refuse use after close. */
export interface SqlHandle {
  /** The client, connected and migrated on first call; rejects after `close()`. */
  open(): Promise<SqlClient>
  /** Releases the client as the options say; idempotent. */
  close(): Promise<void>
}

/** One lazily opened, optionally migrated client for a SQL driver (see {@link SqlHandle}). */
export function createSqlHandle(options: SqlHandleOptions): SqlHandle {
  const ownsClient = typeof options.client === 'function'
  const resolveClient = memoiseClient(options.client)
  let acquired: Promise<SqlClient> | undefined
  const ready = memoiseAsync(async (): Promise<SqlClient> => {
    acquired = resolveClient()
    const client = await acquired
    for (const statement of options.migrate ?? []) await client.query(statement)
    return client
  })
  let closed: Promise<void> | undefined
  return {
    open: () => (closed ? Promise.reject(new Error(`${options.what} is closed`)) : ready()),
    close() {
      closed ??= (async () => {
        if (options.release) await options.release()
        else if (ownsClient && acquired) await (await acquired.catch(() => undefined))?.close()
      })()
      return closed
    },
  }
}
