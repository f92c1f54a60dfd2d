import type { DateTime } from 'luxon'
import type { ProviderWindow } from '../../../support/items.js'

/** SQL dialects the KITS driver speaks: SQL Server (what the City runs) and PostgreSQL (tests, demo). */
export type KitsDialectName = 'mssql' | 'pg'

/**
 * One row of the KITS detector history joined to its detector (spec §9.5 `KITSDBRec`). Numeric columns are
 * integers; a SQL `NULL` in a numeric or text column is `null` (the original crashed on it, see docs/compat.md).
 */
export interface KitsRecord {
  /** `DETID`. */
  readonly detID: number
  /** `INTID`: the intersection; equals a Knack `KITS_ID`. */
  readonly intID: number
  /** `CURDATETIME`, a naive Central wall time localized with the original's DST rule (`localizeWall`). */
  readonly curDateTime: DateTime
  /** `INTNAME`, e.g. `LAMARMANCHACA`. */
  readonly intName: string | null
  /** `DETNAME`, e.g. `NB_in`. */
  readonly detName: string | null
  readonly volume: number | null
  readonly occupancy: number | null
  readonly speed: number | null
  /** `STATUS`, e.g. `Working`. */
  readonly status: string | null
  readonly uploadSuccess: number | null
  readonly detCountComparison: number | null
  readonly dailyCumulative: number | null
}

/** One day that has history rows, with how many (the original's `query()` result). */
export interface KitsDayCount {
  /** Central midnight of the day. */
  readonly date: DateTime
  /** `COUNT(1)` of the history rows of that day. */
  readonly count: number
}

/** Fully qualified names of the two KITS tables. */
export interface KitsTables {
  /** Detector history (`KITSDB.KITS.SYSDETHISTORYRM` on SQL Server). */
  readonly history: string
  /** Detector inventory (`KITSDB.KITS.DETECTORSRM` on SQL Server). */
  readonly detectors: string
}

/** The Wavetronix (KITS) source of `wt-insert-lake`: the days that have data, and one day's records. */
export interface KitsSource {
  /** Driver name for logs (`kits-mssql`, `kits-pg`). */
  readonly name: string
  /**
   * Days with history rows in the window, ascending. `start == end` asks for that day only; otherwise `start`
   * is inclusive and `end` exclusive, each compared to `CURDATETIME` as a Central wall time; `null` = unbounded.
   */
  listDates(window: ProviderWindow): Promise<KitsDayCount[]>
  /** The records of one day (the calendar day of `day`), ordered by time, intersection name, detector name. */
  retrieve(day: DateTime): Promise<KitsRecord[]>
  /** Releases the connection(s); idempotent. */
  close(): Promise<void>
}

/**
 * The small SQL interface the KITS driver runs on; one adapter per dialect. Parameters are always text and are
 * bound, never spliced into the statement (placeholders per {@link KitsDialectName}: `@p1…` or `$1…`).
 */
export interface KitsSqlClient {
  readonly dialect: KitsDialectName
  /** Runs one statement with bound text parameters; resolves to the rows keyed by the statement's aliases. */
  query(text: string, params: readonly string[]): Promise<Record<string, unknown>[]>
  /** Releases the connection(s); idempotent. */
  close(): Promise<void>
}
