import type { DateTime } from 'luxon'
import type { PerfmetDriver, PerfmetJob, PerfmetObservation } from '../../support/perfmet-driver.js'
import { formatPyTs, parseTimestamp } from '../../util/dates.js'
import { checkDate } from '../catalog/checks.js'
import { checkJob, checkObservations } from '../perfmet/checks.js'
import { createPostgrestClient, type KeysetColumn, type PostgrestClientOptions } from './client.js'

/** Options of {@link createPostgrestPerfmet}: the client's options plus the tables and batch sizes. */
export interface PostgrestPerfmetOptions extends PostgrestClientOptions {
  /** Job table (route). @default 'etl_perfmet_job' */
  readonly jobTable?: string | undefined
  /** Observation table (route). @default 'etl_perfmet_obs' */
  readonly obsTable?: string | undefined
  /** Observations per upsert request. @default 1000 */
  readonly batchSize?: number | undefined
  /** Rows per page when reading; keep it at or below the server's `db-max-rows`. @default 1000 */
  readonly pageSize?: number | undefined
  /** Driver name for logs. @default 'postgrest' */
  readonly name?: string | undefined
}

/** A perfmet driver that can also read observations back (the original's `readAllObs`). */
export interface PostgrestPerfmetDriver extends PerfmetDriver {
  /** Observations whose collection date is in `[from, to)`, ordered by data type, sensor, collection date. */
  readObservations(from: DateTime, to: DateTime): Promise<PerfmetObservation[]>
}

/** `on_conflict` of `etl_perfmet_job` (its primary key, spec §6.2). */
export const JOB_CONFLICT = 'processing_date,data_source,stage'
/** `on_conflict` of `etl_perfmet_obs` (its primary key, spec §6.2). */
export const OBS_CONFLICT = 'collection_date,data_source,data_type,sensor_name'

const JOB_SELECT = 'data_source,stage,seconds,records,processing_date,collection_start,collection_end'
const OBS_SELECT =
  'data_source,sensor_name,data_type,data,expected,collection_date,timestamp_min,timestamp_max'
const PREFER = 'resolution=merge-duplicates,return=minimal'

interface JobRow {
  data_source: string
  stage: string
  seconds: number | null
  records: number | null
  processing_date: string
  collection_start: string | null
  collection_end: string | null
}

interface ObsRow {
  data_source: string
  sensor_name: string
  data_type: string
  data: number | null
  expected: number | null
  collection_date: string
  timestamp_min: string | null
  timestamp_max: string | null
}

/** JSON has no NaN or Infinity, so only finite numbers (or `null` where allowed) are sent. */
const FINITE_ONLY = { finiteOnly: true }

const pyTsOrNull = (value: DateTime | null): string | null => (value ? formatPyTs(value) : null)
const dateOrNull = (text: string | null): DateTime | null => (text === null ? null : parseTimestamp(text))

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer`)
  return value
}

/**
 * Perfmet driver over PostgREST (spec §6.2): `writeJob` upserts one object into `etl_perfmet_job`,
 * `writeObservations` upserts arrays of ≤ `batchSize` rows into `etl_perfmet_obs` (both with
 * `Prefer: resolution=merge-duplicates, return=minimal` and `on_conflict` the primary key, dates as PyTS
 * text). Reads select a `[from, to)` window and page with a keyset on the full primary key.
 */
export function createPostgrestPerfmet(options: PostgrestPerfmetOptions): PostgrestPerfmetDriver {
  const jobTable = options.jobTable ?? 'etl_perfmet_job'
  const obsTable = options.obsTable ?? 'etl_perfmet_obs'
  const batchSize = positiveInteger(options.batchSize ?? 1000, 'batchSize')
  const pageSize = positiveInteger(options.pageSize ?? 1000, 'pageSize')
  const name = options.name ?? 'postgrest'
  const client = createPostgrestClient(options)
  let closed = false
  const ensureOpen = (): void => {
    if (closed) throw new Error(`Perfmet driver ${name} is closed`)
  }

  const readWindow = async <Row>(
    table: string,
    select: string,
    column: string,
    from: DateTime,
    to: DateTime,
    order: readonly KeysetColumn[],
    keyOf: (row: Row) => string[],
  ): Promise<Row[]> => {
    checkDate(from, 'from', false)
    checkDate(to, 'to', false)
    ensureOpen()
    const out: Row[] = []
    const pages = client.pages<Row>({
      table,
      select,
      filter: (chain) => chain.gte(column, formatPyTs(from)).lt(column, formatPyTs(to)),
      order,
      keyOf,
      pageSize,
    })
    for await (const page of pages) out.push(...page)
    return out
  }

  return {
    name,

    async writeJob(job: PerfmetJob): Promise<void> {
      checkJob(job, FINITE_ONLY)
      ensureOpen()
      const row = {
        data_source: job.dataSource,
        stage: job.stage,
        seconds: job.seconds,
        records: job.records,
        processing_date: formatPyTs(job.processingDate),
        collection_start: pyTsOrNull(job.collectionStart),
        collection_end: pyTsOrNull(job.collectionEnd),
      }
      await client.request({
        table: jobTable,
        method: 'POST',
        build: (t) => t.upsert(row, { onConflict: JOB_CONFLICT }).setHeader('Prefer', PREFER),
      })
    },

    async writeObservations(observations: readonly PerfmetObservation[]): Promise<void> {
      checkObservations(observations, FINITE_ONLY)
      ensureOpen()
      for (let start = 0; start < observations.length; start += batchSize) {
        const rows = observations.slice(start, start + batchSize).map((obs) => ({
          data_source: obs.dataSource,
          sensor_name: obs.sensorName,
          data_type: obs.dataType,
          data: obs.data,
          expected: obs.expected,
          collection_date: formatPyTs(obs.collectionDate),
          timestamp_min: pyTsOrNull(obs.timestampMin),
          timestamp_max: pyTsOrNull(obs.timestampMax),
        }))
        await client.request({
          table: obsTable,
          method: 'POST',
          build: (t) =>
            t.upsert(rows, { onConflict: OBS_CONFLICT, defaultToNull: true }).setHeader('Prefer', PREFER),
        })
      }
    },

    async readJobs(from: DateTime, to: DateTime): Promise<PerfmetJob[]> {
      const rows = await readWindow<JobRow>(
        jobTable,
        JOB_SELECT,
        'processing_date',
        from,
        to,
        [{ column: 'data_source' }, { column: 'stage' }, { column: 'processing_date' }],
        (row) => [row.data_source, row.stage, row.processing_date],
      )
      return rows.map((row) => ({
        dataSource: row.data_source,
        stage: row.stage,
        seconds: row.seconds ?? Number.NaN,
        records: row.records ?? Number.NaN,
        processingDate: parseTimestamp(row.processing_date),
        collectionStart: dateOrNull(row.collection_start),
        collectionEnd: dateOrNull(row.collection_end),
      }))
    },

    async latestJobDate(): Promise<DateTime | null> {
      const rows = (await client.request({
        table: jobTable,
        method: 'GET',
        build: (t) => t.select('processing_date').order('processing_date', { ascending: false }).limit(1),
      })) as { processing_date: string }[] | null
      const first = rows?.[0]
      return first ? parseTimestamp(first.processing_date) : null
    },

    async readObservations(from: DateTime, to: DateTime): Promise<PerfmetObservation[]> {
      const rows = await readWindow<ObsRow>(
        obsTable,
        OBS_SELECT,
        'collection_date',
        from,
        to,
        [
          { column: 'data_type' },
          { column: 'sensor_name' },
          { column: 'collection_date' },
          { column: 'data_source' },
        ],
        (row) => [row.data_type, row.sensor_name, row.collection_date, row.data_source],
      )
      return rows.map((row) => ({
        dataSource: row.data_source,
        sensorName: row.sensor_name,
        dataType: row.data_type,
        data: row.data,
        expected: row.expected,
        collectionDate: parseTimestamp(row.collection_date),
        timestampMin: dateOrNull(row.timestamp_min),
        timestampMax: dateOrNull(row.timestamp_max),
      }))
    },

    async close(): Promise<void> {
      closed = true
    },
  }
}
