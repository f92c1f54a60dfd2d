import type { DateTime } from 'luxon'
import { ConfigError } from '../../../support/errors.js'
import type { ProviderWindow } from '../../../support/items.js'
import { formatDay, formatPyTs } from '../../../util/dates.js'
import type { KitsDialectName, KitsTables } from './types.js'

/** A statement with its bound text parameters. */
export interface KitsQuery {
  readonly text: string
  readonly params: readonly string[]
}

/** The few places where SQL Server and PostgreSQL differ; everything else is shared SQL. */
export interface KitsDialect {
  readonly name: KitsDialectName
  /** Placeholder of the n-th (1-based) parameter. */
  placeholder(n: number): string
  /** A bound `YYYY-MM-DD HH:MM:SS` wall time as a naive timestamp (language/DateStyle independent). */
  timestampParam(placeholder: string): string
  /** A bound `YYYY-MM-DD` text as a date. */
  dateParam(placeholder: string): string
  /** A date expression as `YYYY-MM-DD` text. */
  dayText(expr: string): string
  /** A timestamp expression as `YYYY-MM-DD HH:MM:SS` text (fraction dropped). */
  wallText(expr: string): string
  /** A text expression in the sort order of the dialect (byte order on PostgreSQL, the server's on SQL Server). */
  sortText(expr: string): string
}

/** SQL Server: `@pN` placeholders, `CONVERT` styles 120/23 (ODBC canonical, independent of `SET LANGUAGE`). */
export const MSSQL_DIALECT: KitsDialect = {
  name: 'mssql',
  placeholder: (n) => `@p${n}`,
  timestampParam: (p) => `CONVERT(datetime, ${p}, 120)`,
  dateParam: (p) => `CONVERT(date, ${p}, 23)`,
  dayText: (expr) => `CONVERT(varchar(10), ${expr}, 23)`,
  wallText: (expr) => `CONVERT(varchar(19), ${expr}, 120)`,
  sortText: (expr) => expr,
}

/** PostgreSQL (and PGlite): `$N` placeholders, ISO casts, `to_char`, `COLLATE "C"` for a locale-free order. */
export const PG_DIALECT: KitsDialect = {
  name: 'pg',
  placeholder: (n) => `$${n}`,
  timestampParam: (p) => `CAST(${p} AS timestamp)`,
  dateParam: (p) => `CAST(${p} AS date)`,
  dayText: (expr) => `to_char(${expr}, 'YYYY-MM-DD')`,
  wallText: (expr) => `to_char(${expr}, 'YYYY-MM-DD HH24:MI:SS')`,
  sortText: (expr) => `${expr} COLLATE "C"`,
}

/** The dialect of a name. */
export function kitsDialect(name: KitsDialectName): KitsDialect {
  return name === 'mssql' ? MSSQL_DIALECT : PG_DIALECT
}

/** Default table names per dialect: the City's SQL Server names, and a `kits` schema on PostgreSQL. */
export const DEFAULT_KITS_TABLES: Readonly<Record<KitsDialectName, KitsTables>> = Object.freeze({
  mssql: Object.freeze({ history: 'KITSDB.KITS.SYSDETHISTORYRM', detectors: 'KITSDB.KITS.DETECTORSRM' }),
  pg: Object.freeze({ history: 'kits.sysdethistoryrm', detectors: 'kits.detectorsrm' }),
})

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$/

/**
 * Checks a table name (it cannot be a bound parameter): one to three dot-separated plain identifiers.
 * @throws ConfigError otherwise.
 */
export function checkTableName(name: string): string {
  if (!TABLE_NAME.test(name)) {
    throw new ConfigError(
      `Invalid KITS table name ${JSON.stringify(name)}: use [database.][schema.]table with letters, digits and _.`,
    )
  }
  return name
}

/** `YYYY-MM-DD HH:MM:SS` of `dt`'s own clock (the original's `strftime` of a Central time). */
function wallOf(dt: DateTime): string {
  return formatPyTs(dt).slice(0, 19)
}

function sameInstant(a: DateTime | null, b: DateTime | null): boolean {
  return a !== null && b !== null && a.toMillis() === b.toMillis()
}

/**
 * The date clause of spec §9.5 with bound parameters: `start == end` is that calendar day
 * (`CAST(CURDATETIME AS date) = day`); otherwise `CURDATETIME >= start` and/or `CURDATETIME < end`.
 */
function dateClause(dialect: KitsDialect, window: ProviderWindow, params: string[]): string[] {
  const bind = (value: string) => {
    params.push(value)
    return dialect.placeholder(params.length)
  }
  const { start, end } = window
  if (start && sameInstant(start, end)) {
    return [`CAST(CURDATETIME AS date) = ${dialect.dateParam(bind(formatDay(start)))}`]
  }
  const parts: string[] = []
  if (start) parts.push(`CURDATETIME >= ${dialect.timestampParam(bind(wallOf(start)))}`)
  if (end) parts.push(`CURDATETIME < ${dialect.timestampParam(bind(wallOf(end)))}`)
  return parts
}

/** Days with history rows and their counts (`cur_day` as `YYYY-MM-DD`, `n`), ascending. */
export function listDatesQuery(dialect: KitsDialect, tables: KitsTables, window: ProviderWindow): KitsQuery {
  const params: string[] = []
  const clause = dateClause(dialect, window, params)
  const where = clause.length > 0 ? ` WHERE ${clause.join(' AND ')}` : ''
  const text =
    `SELECT ${dialect.dayText('t.cur_day')} AS cur_day, t.n AS n FROM (` +
    `SELECT CAST(CURDATETIME AS date) AS cur_day, COUNT(1) AS n FROM ${checkTableName(tables.history)}${where} ` +
    'GROUP BY CAST(CURDATETIME AS date)) AS t ORDER BY t.cur_day'
  return { text, params }
}

/**
 * The records of one calendar day, joined to their detectors, ordered by `CURDATETIME, INTNAME, DETNAME`
 * (column qualification as in the original, which ran against the City's server).
 */
export function retrieveQuery(dialect: KitsDialect, tables: KitsTables, day: DateTime): KitsQuery {
  const params: string[] = []
  const clause = dateClause(dialect, { start: day, end: day }, params)
  const text =
    `SELECT a.DETID AS det_id, b.INTID AS int_id, ${dialect.wallText('CURDATETIME')} AS cur_date_time, ` +
    'INTNAME AS int_name, DETNAME AS det_name, a.VOLUME AS volume, a.OCCUPANCY AS occupancy, SPEED AS speed, ' +
    'STATUS AS status, UPLOADSUCCESS AS upload_success, DETCOUNTCOMPARISON AS det_count_comparison, ' +
    'DAILYCUMULATIVE AS daily_cumulative ' +
    `FROM ${checkTableName(tables.history)} AS a, ${checkTableName(tables.detectors)} AS b ` +
    `WHERE ${clause.join(' AND ')} AND a.DETID = b.DETID ` +
    `ORDER BY CURDATETIME, ${dialect.sortText('INTNAME')}, ${dialect.sortText('DETNAME')}`
  return { text, params }
}
