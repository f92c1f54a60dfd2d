import type { DateTime } from 'luxon'
import { InputError } from '../../../support/errors.js'
import type { Logger } from '../../../support/logger.js'
import { localizeWall } from '../../../util/dates.js'
import { type RetryOptions, withRetry } from '../../../util/retry.js'
import { isTransientSqlError } from '../../sql/transient-sql-error.js'
import { DEFAULT_KITS_TABLES, kitsDialect, listDatesQuery, retrieveQuery } from './queries.js'
import type { KitsDayCount, KitsRecord, KitsSource, KitsSqlClient, KitsTables } from './types.js'

/** Options of {@link createKitsSource}. */
export interface KitsSourceOptions {
  /** The SQL adapter (`createMssqlKitsClient`, `createPgKitsClient`); closed by `close()` unless `ownsClient` is false. */
  readonly client: KitsSqlClient
  /** Table names. @default the dialect's defaults ({@link DEFAULT_KITS_TABLES}) */
  readonly tables?: Partial<KitsTables>
  /** Whether `close()` closes the client. @default true */
  readonly ownsClient?: boolean
  /**
   * Retries of a query that failed transiently (see {@link isTransientSqlError}), with exponential backoff and
   * jitter. @default { retries: 4, minDelayMs: 500, maxDelayMs: 10000 }
   */
  readonly retry?: Partial<Pick<RetryOptions, 'retries' | 'minDelayMs' | 'maxDelayMs'>>
  /** Receives a warning for each retried query. */
  readonly logger?: Logger
}

const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/
const WALL_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/

function wallFields(text: unknown, pattern: RegExp, what: string) {
  const m = typeof text === 'string' ? pattern.exec(text.trim()) : null
  if (!m) throw new InputError(`KITS returned an unreadable ${what}: ${JSON.stringify(text)}`)
  const [, y = '', mo = '', d = '', h = '0', mi = '0', s = '0'] = m
  return { year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: +s }
}

/** An integer column: numbers are truncated like Python's `int()`, integer text is parsed, `NULL` is `null`. */
function intOrNull(value: unknown, column: string): number | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value)
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value)
  throw new InputError(`KITS column ${column} holds a non-integer value: ${JSON.stringify(value)}`)
}

function requiredInt(value: unknown, column: string): number {
  const n = intOrNull(value, column)
  if (n === null) throw new InputError(`KITS column ${column} is NULL`)
  return n
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value)
}

function toRecord(row: Record<string, unknown>): KitsRecord {
  return {
    detID: requiredInt(row.det_id, 'DETID'),
    intID: requiredInt(row.int_id, 'INTID'),
    curDateTime: localizeWall(wallFields(row.cur_date_time, WALL_TEXT, 'CURDATETIME')),
    intName: textOrNull(row.int_name),
    detName: textOrNull(row.det_name),
    volume: intOrNull(row.volume, 'VOLUME'),
    occupancy: intOrNull(row.occupancy, 'OCCUPANCY'),
    speed: intOrNull(row.speed, 'SPEED'),
    status: textOrNull(row.status),
    uploadSuccess: intOrNull(row.upload_success, 'UPLOADSUCCESS'),
    detCountComparison: intOrNull(row.det_count_comparison, 'DETCOUNTCOMPARISON'),
    dailyCumulative: intOrNull(row.daily_cumulative, 'DAILYCUMULATIVE'),
  }
}

/**
 * The KITS (Wavetronix detector history) source of spec §9.5 over a {@link KitsSqlClient}: the same statements on
 * SQL Server and PostgreSQL, dates always bound as parameters, times read back as wall-clock text and localized
 * to Central with the original's DST rule (a repeated November hour gets standard time, as pytz did). Queries
 * failing transiently (dropped connection, timeout, deadlock) are retried with backoff; others fail at once.
 */
export function createKitsSource(options: KitsSourceOptions): KitsSource {
  const { client } = options
  const dialect = kitsDialect(client.dialect)
  const tables: KitsTables = { ...DEFAULT_KITS_TABLES[client.dialect], ...options.tables }
  let closed = false
  const run = (what: string, text: string, params: readonly string[]) =>
    withRetry(() => client.query(text, params), {
      retries: 4,
      minDelayMs: 500,
      maxDelayMs: 10_000,
      ...options.retry,
      isTransient: isTransientSqlError,
      onRetry: ({ attempt, retriesLeft, error }) =>
        options.logger?.warn(
          { err: error, attempt, retriesLeft },
          `KITS ${what} failed (attempt ${attempt}); retrying`,
        ),
    })
  return {
    name: `kits-${client.dialect}`,
    async listDates(window) {
      const query = listDatesQuery(dialect, tables, window)
      const rows = await run('date listing', query.text, query.params)
      const days: KitsDayCount[] = rows.map((row) => ({
        date: localizeWall(wallFields(row.cur_day, DAY_TEXT, 'day')),
        count: requiredInt(row.n, 'COUNT(1)'),
      }))
      return days.sort((a, b) => a.date.toMillis() - b.date.toMillis())
    },
    async retrieve(day: DateTime) {
      const query = retrieveQuery(dialect, tables, day)
      const rows = await run('day query', query.text, query.params)
      return rows.map(toRecord)
    },
    async close() {
      if (closed) return
      closed = true
      if (options.ownsClient !== false) await client.close()
    },
  }
}
