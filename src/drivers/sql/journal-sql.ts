import type { DateTime } from 'luxon'
import {
  type ItemFilter,
  type ItemRecordInput,
  type ItemStatus,
  type JournalError,
  type JournalItem,
  type JournalReadOptions,
  type JournalRun,
  type JsonObject,
  newRunId,
  type RunFilter,
  type RunFinish,
  type RunJournal,
  type RunMeta,
  type RunStatus,
} from '../../support/run-journal.js'
import { checkFilter, checkItem, checkRunFinish, checkRunMeta } from '../journal/checks.js'
import { JOURNAL_TABLES, journalSchemaStatements } from './journal-schema.js'
import { DEFAULT_SCHEMA, qualifiedName } from './schema.js'
import type { SqlClientSource } from './sql-client.js'
import { createSqlHandle } from './sql-handle.js'
import { fromSqlTimestamp, timestampText, toSqlTimestamp, toSqlTimestampOrNull } from './sql-time.js'
import { upsertRows } from './upsert.js'

/** Options of {@link createSqlJournal}. */
export interface SqlJournalOptions {
  /** A ready client (left open by `close()`), or an async factory called on first use (closed by `close()`). */
  client: SqlClientSource
  /** Schema of the two tables. @default 'api' */
  schema?: string | undefined
  /** Rows per page while streaming. @default 1000 */
  pageSize?: number | undefined
  /** Driver name for logs. @default 'sql' */
  name?: string | undefined
  /** Create the tables (idempotently) before first use, as the PGlite drivers do. @default false */
  migrate?: boolean | undefined
  /** Called once by `close()` instead of the default client handling (e.g. a shared database stays open). */
  release?: (() => Promise<void>) | undefined
}

interface RunRow {
  run_id: string
  app: string
  data_source: string
  status: string
  started_at: string
  finished_at: string | null
  args: string
  summary: string | null
  error: string | null
}

interface ItemRow {
  run_id: string
  app: string
  data_source: string
  id_base: string
  id_ext: string
  collection_date: string
  label: string
  status: string
  error: string | null
  records: number | string
  duration_ms: number | string
  recorded_at: string
}

const RUN_SELECT = `run_id, app, data_source, status, ${timestampText('started_at')} as started_at,
  ${timestampText('finished_at')} as finished_at, args::text as args, summary::text as summary, error::text as error`

const ITEM_SELECT = `run_id, app, data_source, id_base, id_ext, ${timestampText('collection_date')} as collection_date,
  label, status, error::text as error, records, duration_ms, ${timestampText('recorded_at')} as recorded_at`

const ITEM_COLUMNS = [
  'run_id',
  'app',
  'data_source',
  'id_base',
  'id_ext',
  'collection_date',
  'label',
  'status',
  'error',
  'records',
  'duration_ms',
  'recorded_at',
] as const

function required(text: string | null): DateTime {
  const value = fromSqlTimestamp(text)
  if (!value) throw new Error('Required timestamp is null')
  return value
}

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T))

function toRun(row: RunRow): JournalRun {
  return {
    runId: row.run_id,
    app: row.app,
    dataSource: row.data_source,
    status: row.status as RunStatus,
    startedAt: required(row.started_at),
    finishedAt: fromSqlTimestamp(row.finished_at),
    args: parseJson<JsonObject>(row.args) ?? {},
    summary: parseJson<JsonObject>(row.summary),
    error: parseJson<JournalError>(row.error),
  }
}

function toItem(row: ItemRow): JournalItem {
  return {
    runId: row.run_id,
    app: row.app,
    dataSource: row.data_source,
    base: row.id_base,
    ext: row.id_ext,
    date: required(row.collection_date),
    label: row.label,
    status: row.status as ItemStatus,
    error: parseJson<JournalError>(row.error),
    records: Number(row.records),
    durationMs: Number(row.duration_ms),
    recordedAt: required(row.recorded_at),
  }
}

/** Builds a `where` clause from equality and range conditions, binding values as it goes. */
function whereBuilder() {
  const params: unknown[] = []
  const where: string[] = []
  const bind = (value: unknown): string => {
    params.push(value)
    return `$${params.length}`
  }
  return {
    params,
    where,
    bind,
    eq(column: string, value: string | undefined) {
      if (value !== undefined) where.push(`${column} = ${bind(value)}`)
    },
    range(column: string, from: DateTime | undefined, to: DateTime | undefined) {
      if (from) where.push(`${column} >= ${bind(toSqlTimestamp(from))}::timestamptz`)
      if (to) where.push(`${column} < ${bind(toSqlTimestamp(to))}::timestamptz`)
    },
    text: () => (where.length === 0 ? '' : `where ${where.join(' and ')}`),
  }
}

/**
 * Run journal over PostgreSQL (PGlite or `pg`) in tables `etl_run` and `etl_run_item` (migration
 * `003_run_journal`). Reads stream with keyset paging in the contract's order.
 */
export function createSqlJournal(options: SqlJournalOptions): RunJournal {
  const schema = options.schema ?? DEFAULT_SCHEMA
  const runTable = qualifiedName(schema, JOURNAL_TABLES.runs)
  const itemTable = qualifiedName(schema, JOURNAL_TABLES.items)
  const pageSize = options.pageSize ?? 1000
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer')
  const name = options.name ?? 'sql'
  const handle = createSqlHandle({
    client: options.client,
    migrate: options.migrate ? journalSchemaStatements(schema) : [],
    release: options.release,
    what: `Run journal ${name}`,
  })
  const open = handle.open

  async function* paged<Row, Out>(
    build: (cursor: Row | undefined) => { text: string; params: unknown[] },
    convert: (row: Row) => Out,
    signal: AbortSignal | undefined,
  ): AsyncIterable<Out> {
    let cursor: Row | undefined
    for (;;) {
      signal?.throwIfAborted()
      const client = await open()
      const { text, params } = build(cursor)
      const { rows } = await client.query<Row>(text, params)
      for (const row of rows) {
        signal?.throwIfAborted()
        yield convert(row)
      }
      cursor = rows.at(-1)
      if (!cursor || rows.length < pageSize) return
    }
  }

  return {
    name,

    async startRun(meta: RunMeta): Promise<string> {
      checkRunMeta(meta)
      const client = await open()
      const runId = newRunId(meta.startedAt)
      await client.query(
        `insert into ${runTable} (run_id, app, data_source, status, started_at, args)
values ($1, $2, $3, 'running', $4::timestamptz, $5::jsonb)`,
        [runId, meta.app, meta.dataSource, toSqlTimestamp(meta.startedAt), JSON.stringify(meta.args ?? {})],
      )
      return runId
    },

    async recordItem(runId: string, item: ItemRecordInput): Promise<void> {
      checkItem(runId, item)
      const client = await open()
      const row = [
        runId,
        item.app,
        item.dataSource,
        item.base,
        item.ext,
        toSqlTimestamp(item.date),
        item.label,
        item.status,
        item.error ? JSON.stringify(item.error) : null,
        item.records,
        item.durationMs,
        toSqlTimestamp(item.recordedAt),
      ]
      await upsertRows(
        client,
        {
          table: itemTable,
          columns: ITEM_COLUMNS,
          casts: { collection_date: 'timestamptz', recorded_at: 'timestamptz', error: 'jsonb' },
          conflict: ['run_id', 'id_base', 'id_ext', 'collection_date'],
        },
        [row],
      )
    },

    async finishRun(runId: string, finish: RunFinish): Promise<void> {
      checkRunFinish(finish)
      const client = await open()
      const { rows } = await client.query<{ run_id: string }>(
        `update ${runTable} set status = $2, finished_at = $3::timestamptz, summary = $4::jsonb, error = $5::jsonb
where run_id = $1 returning run_id`,
        [
          runId,
          finish.status,
          toSqlTimestampOrNull(finish.finishedAt),
          JSON.stringify(finish.summary),
          finish.error ? JSON.stringify(finish.error) : null,
        ],
      )
      if (rows.length === 0) throw new Error(`Unknown run ${JSON.stringify(runId)}`)
    },

    items(filter: ItemFilter = {}, readOptions?: JournalReadOptions): AsyncIterable<JournalItem> {
      checkFilter(filter)
      return paged<ItemRow, JournalItem>(
        (cursor) => {
          const w = whereBuilder()
          w.eq('app', filter.app)
          w.eq('data_source', filter.dataSource)
          w.eq('run_id', filter.runId)
          w.eq('status', filter.status)
          w.range('collection_date', filter.from, filter.to)
          if (cursor) {
            w.where.push(`(collection_date, id_base, id_ext, recorded_at, run_id) > (${w.bind(cursor.collection_date)}::timestamptz,
  ${w.bind(cursor.id_base)}, ${w.bind(cursor.id_ext)}, ${w.bind(cursor.recorded_at)}::timestamptz, ${w.bind(cursor.run_id)})`)
          }
          const text = `select ${ITEM_SELECT} from ${itemTable} as t ${w.text()}
order by t.collection_date, t.id_base, t.id_ext, t.recorded_at, t.run_id limit ${w.bind(pageSize)}`
          return { text, params: w.params }
        },
        toItem,
        readOptions?.signal,
      )
    },

    runs(filter: RunFilter = {}, readOptions?: JournalReadOptions): AsyncIterable<JournalRun> {
      checkFilter(filter)
      return paged<RunRow, JournalRun>(
        (cursor) => {
          const w = whereBuilder()
          w.eq('run_id', filter.runId)
          w.eq('app', filter.app)
          w.eq('data_source', filter.dataSource)
          w.eq('status', filter.status)
          w.range('started_at', filter.from, filter.to)
          if (cursor) {
            w.where.push(
              `(started_at, run_id) > (${w.bind(cursor.started_at)}::timestamptz, ${w.bind(cursor.run_id)})`,
            )
          }
          const text = `select ${RUN_SELECT} from ${runTable} as t ${w.text()}
order by t.started_at, t.run_id limit ${w.bind(pageSize)}`
          return { text, params: w.params }
        },
        toRun,
        readOptions?.signal,
      )
    },

    async lastRunId(app: string): Promise<string | null> {
      const client = await open()
      const { rows } = await client.query<{ run_id: string }>(
        `select run_id from ${runTable} where app = $1 order by started_at desc, run_id desc limit 1`,
        [app],
      )
      return rows[0]?.run_id ?? null
    },

    close: handle.close,
  }
}
