import type { DateTime } from 'luxon'
import type { PerfmetDriver, PerfmetJob, PerfmetObservation } from '../../support/perfmet-driver.js'
import { checkDate } from '../catalog/checks.js'
import { checkJob, checkObservations } from '../perfmet/checks.js'
import { DEFAULT_SCHEMA, perfmetSchemaStatements, qualifiedName, TABLES } from './schema.js'
import { type SqlClient, type SqlClientSource, withTransaction } from './sql-client.js'
import { createSqlHandle } from './sql-handle.js'
import { fromSqlTimestamp, timestampText, toSqlTimestamp, toSqlTimestampOrNull } from './sql-time.js'
import { type UpsertSpec, upsertRows } from './upsert.js'

/** Options of {@link createSqlPerfmet}. */
export interface SqlPerfmetOptions {
  /** A ready client (left open by `close()`), or an async factory called on first use (closed by `close()`). */
  client: SqlClientSource
  /** Schema of the two tables. @default 'api' */
  schema?: string | undefined
  /** Driver name for logs. @default 'sql' */
  name?: string | undefined
  /** Create the schema and tables (idempotently) before first use. @default false */
  migrate?: boolean | undefined
  /** Called once by `close()` instead of the default client handling (see `SqlCatalogOptions.release`). */
  release?: (() => Promise<void>) | undefined
}

/** A perfmet driver that can also read observations back (the original's `readAllObs`). */
export interface SqlPerfmetDriver extends PerfmetDriver {
  /** Observations whose collection date is in `[from, to)`, ordered by data type, sensor, collection date. */
  readObservations(from: DateTime, to: DateTime): Promise<PerfmetObservation[]>
}

interface JobRow {
  data_source: string
  stage: string
  seconds: number | string | null
  records: number | string | null
  processing_date: string
  collection_start: string | null
  collection_end: string | null
}

interface ObsRow {
  data_source: string
  sensor_name: string
  data_type: string
  data: number | string | null
  expected: number | string | null
  collection_date: string
  timestamp_min: string | null
  timestamp_max: string | null
}

/** SQL `real` stores ±Infinity; only NaN is refused. */
const SQL_NUMBERS = { finiteOnly: false }

function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value)
}

function requiredDate(text: string): DateTime {
  const value = fromSqlTimestamp(text)
  if (!value) throw new Error('Required timestamp is null')
  return value
}

/**
 * Perfmet driver over any PostgreSQL reachable through a {@link SqlClient}: job rows and observation rows
 * are upserted on the tables' primary keys (spec §6.2); observations go in batches of ≤ 1000 rows in one
 * transaction.
 */
export function createSqlPerfmet(options: SqlPerfmetOptions): SqlPerfmetDriver {
  const schema = options.schema ?? DEFAULT_SCHEMA
  const jobTable = qualifiedName(schema, TABLES.perfmetJob)
  const obsTable = qualifiedName(schema, TABLES.perfmetObs)
  const name = options.name ?? 'sql'
  const handle = createSqlHandle({
    client: options.client,
    migrate: options.migrate ? perfmetSchemaStatements(schema) : [],
    release: options.release,
    what: `Perfmet driver ${name}`,
  })
  const open = handle.open

  const jobSpec: UpsertSpec = {
    table: jobTable,
    columns: [
      'data_source',
      'stage',
      'seconds',
      'records',
      'processing_date',
      'collection_start',
      'collection_end',
    ],
    casts: { processing_date: 'timestamptz', collection_start: 'timestamptz', collection_end: 'timestamptz' },
    conflict: ['processing_date', 'data_source', 'stage'],
  }
  const obsSpec: UpsertSpec = {
    table: obsTable,
    columns: [
      'data_source',
      'sensor_name',
      'data_type',
      'data',
      'expected',
      'collection_date',
      'timestamp_min',
      'timestamp_max',
    ],
    casts: { collection_date: 'timestamptz', timestamp_min: 'timestamptz', timestamp_max: 'timestamptz' },
    conflict: ['collection_date', 'data_source', 'data_type', 'sensor_name'],
  }

  return {
    name,

    async writeJob(job: PerfmetJob): Promise<void> {
      checkJob(job, SQL_NUMBERS)
      const client = await open()
      const row = [
        job.dataSource,
        job.stage,
        job.seconds,
        job.records,
        toSqlTimestamp(job.processingDate),
        toSqlTimestampOrNull(job.collectionStart),
        toSqlTimestampOrNull(job.collectionEnd),
      ]
      await upsertRows(client, jobSpec, [row])
    },

    async writeObservations(observations: readonly PerfmetObservation[]): Promise<void> {
      checkObservations(observations, SQL_NUMBERS)
      const client = await open()
      if (observations.length === 0) return
      const rows = observations.map((obs) => [
        obs.dataSource,
        obs.sensorName,
        obs.dataType,
        obs.data,
        obs.expected,
        toSqlTimestamp(obs.collectionDate),
        toSqlTimestampOrNull(obs.timestampMin),
        toSqlTimestampOrNull(obs.timestampMax),
      ])
      await withTransaction(client, (tx) => upsertRows(tx, obsSpec, rows))
    },

    async readJobs(from: DateTime, to: DateTime): Promise<PerfmetJob[]> {
      checkDate(from, 'from', false)
      checkDate(to, 'to', false)
      const client = await open()
      const { rows } = await client.query<JobRow>(
        `select data_source, stage, seconds::text as seconds, records, ${timestampText('processing_date')} as processing_date,
  ${timestampText('collection_start')} as collection_start, ${timestampText('collection_end')} as collection_end
from ${jobTable} as t
where processing_date >= $1::timestamptz and processing_date < $2::timestamptz
order by t.data_source, t.stage, t.processing_date`,
        [toSqlTimestamp(from), toSqlTimestamp(to)],
      )
      return rows.map((row) => ({
        dataSource: row.data_source,
        stage: row.stage,
        seconds: numberOrNull(row.seconds) ?? Number.NaN,
        records: numberOrNull(row.records) ?? Number.NaN,
        processingDate: requiredDate(row.processing_date),
        collectionStart: fromSqlTimestamp(row.collection_start),
        collectionEnd: fromSqlTimestamp(row.collection_end),
      }))
    },

    async latestJobDate(): Promise<DateTime | null> {
      const client = await open()
      const { rows } = await client.query<{ processing_date: string | null }>(
        `select ${timestampText('processing_date')} as processing_date from ${jobTable} as t order by t.processing_date desc limit 1`,
      )
      return fromSqlTimestamp(rows[0]?.processing_date ?? null)
    },

    async readObservations(from: DateTime, to: DateTime): Promise<PerfmetObservation[]> {
      checkDate(from, 'from', false)
      checkDate(to, 'to', false)
      const client = await open()
      const { rows } = await client.query<ObsRow>(
        `select data_source, sensor_name, data_type, data::text as data, expected::text as expected,
  ${timestampText('collection_date')} as collection_date, ${timestampText('timestamp_min')} as timestamp_min,
  ${timestampText('timestamp_max')} as timestamp_max
from ${obsTable} as t
where collection_date >= $1::timestamptz and collection_date < $2::timestamptz
order by t.data_type, t.sensor_name, t.collection_date, t.data_source`,
        [toSqlTimestamp(from), toSqlTimestamp(to)],
      )
      return rows.map((row) => ({
        dataSource: row.data_source,
        sensorName: row.sensor_name,
        dataType: row.data_type,
        data: numberOrNull(row.data),
        expected: numberOrNull(row.expected),
        collectionDate: requiredDate(row.collection_date),
        timestampMin: fromSqlTimestamp(row.timestamp_min),
        timestampMax: fromSqlTimestamp(row.timestamp_max),
      }))
    },

    close: handle.close,
  }
}
