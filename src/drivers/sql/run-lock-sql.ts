import { DateTime } from 'luxon'
import { DriverError, EtlError } from '../../support/errors.js'
import {
  type AcquireOptions,
  checkAcquire,
  createLease,
  type Lease,
  type LockHolder,
  type RunLock,
} from '../../support/run-lock.js'
import { memoiseAsync } from './memoise.js'
import { RUN_LOCK_TABLE, runLockTableStatements } from './run-lock-schema.js'
import { DEFAULT_SCHEMA, qualifiedName } from './schema.js'
import { memoiseClient, type SqlClient, type SqlClientSource } from './sql-client.js'

/** Options of {@link createSqlRunLock}. */
export interface SqlRunLockOptions {
  /** A ready client (left open by `close()`), or an async factory called on first use (closed by `close()`). */
  readonly client: SqlClientSource
  /** Schema of the lock table. @default 'api' */
  readonly schema?: string | undefined
  /** Create the table (idempotently) before first use; otherwise `db migrate` (004_run_lock) does. @default false */
  readonly migrate?: boolean | undefined
  /** Called by `close()` instead of the default (e.g. to leave a shared database open). */
  readonly release?: (() => Promise<void>) | undefined
}

interface LockRow {
  owner: string
  acquired_ms: number
  expires_ms: number
}

const RETURNING =
  'owner, (extract(epoch from acquired_at) * 1000)::float8 as acquired_ms, (extract(epoch from expires_at) * 1000)::float8 as expires_ms'

function toHolder(row: LockRow): LockHolder {
  return {
    owner: row.owner,
    acquiredAt: DateTime.fromMillis(Number(row.acquired_ms), { zone: 'utc' }),
    expiresAt: DateTime.fromMillis(Number(row.expires_ms), { zone: 'utc' }),
  }
}

/**
 * A {@link RunLock} on the table `etl_run_lock` of PGlite or PostgreSQL. Acquiring is one
 * `insert … on conflict (key) do update … where expires_at <= now() or owner = excluded.owner`, so of any number
 * of concurrent callers exactly one gets the row; times come from the database clock.
 */
export function createSqlRunLock(options: SqlRunLockOptions): RunLock {
  const table = qualifiedName(options.schema ?? DEFAULT_SCHEMA, RUN_LOCK_TABLE)
  const connect = memoiseClient(options.client)
  let opened = false
  const ready = memoiseAsync(async (): Promise<SqlClient> => {
    opened = true
    const client = await connect()
    if (options.migrate)
      for (const statement of runLockTableStatements(options.schema ?? DEFAULT_SCHEMA))
        await client.query(statement)
    return client
  })
  let closed = false

  const run = async (what: string, key: string, text: string, params: unknown[]): Promise<LockRow[]> => {
    try {
      const client = await ready()
      return (await client.query<LockRow>(text, params)).rows
    } catch (error) {
      if (error instanceof EtlError && error.code === 'E_LOCKED') throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new DriverError('E_DRIVER', `Run lock: ${what} "${key}" failed: ${reason}`, { cause: error })
    }
  }

  return {
    async acquire(key: string, acquire: AcquireOptions): Promise<Lease | null> {
      checkAcquire(key, acquire)
      const { owner, leaseMs } = acquire
      const rows = await run(
        'acquiring',
        key,
        `insert into ${table} as l (key, owner, acquired_at, expires_at)
values ($1, $2, now(), now() + $3::float8 * interval '1 millisecond')
on conflict (key) do update
  set owner = excluded.owner,
      acquired_at = case when l.owner = excluded.owner then l.acquired_at else excluded.acquired_at end,
      expires_at = excluded.expires_at
  where l.expires_at <= now() or l.owner = excluded.owner
returning ${RETURNING}`,
        [key, owner, leaseMs],
      )
      const row = rows[0]
      if (!row) return null
      return createLease({
        key,
        owner,
        granted: toHolder(row),
        async renew() {
          const renewed = await run(
            'renewing',
            key,
            `update ${table} set expires_at = now() + $3::float8 * interval '1 millisecond'
where key = $1 and owner = $2 returning ${RETURNING}`,
            [key, owner, leaseMs],
          )
          return renewed[0] ? toHolder(renewed[0]) : null
        },
        async release() {
          await run('releasing', key, `delete from ${table} where key = $1 and owner = $2`, [key, owner])
        },
      })
    },
    async held(key: string) {
      const rows = await run(
        'reading',
        key,
        `select ${RETURNING} from ${table} where key = $1 and expires_at > now()`,
        [key],
      )
      return rows[0] ? toHolder(rows[0]) : null
    },
    async close() {
      if (closed) return
      closed = true
      if (options.release) return options.release()
      if (opened && typeof options.client === 'function') await (await connect().catch(() => null))?.close()
    },
  }
}
