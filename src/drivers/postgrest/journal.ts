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
import { formatPyTs, parseTimestamp } from '../../util/dates.js'
import { checkFilter, checkItem, checkRunFinish, checkRunMeta } from '../journal/checks.js'
import { createPostgrestClient, type PostgrestChain, type PostgrestClientOptions } from './client.js'

/** Options of {@link createPostgrestJournal}: the client's options plus the journal's own. */
export interface PostgrestJournalOptions extends PostgrestClientOptions {
  /** Run table (route). @default 'etl_run' */
  readonly runTable?: string | undefined
  /** Item table (route). @default 'etl_run_item' */
  readonly itemTable?: string | undefined
  /** Rows per page when reading; keep it at or below the server's `db-max-rows`. @default 1000 */
  readonly pageSize?: number | undefined
  /** Driver name for logs. @default 'postgrest' */
  readonly name?: string | undefined
}

/** `on_conflict` of `etl_run_item` (its primary key). */
export const RUN_ITEM_CONFLICT = 'run_id,id_base,id_ext,collection_date'

const RUN_SELECT = 'run_id,app,data_source,status,started_at,finished_at,args,summary,error'
const ITEM_SELECT =
  'run_id,app,data_source,id_base,id_ext,collection_date,label,status,error,records,duration_ms,recorded_at'
const PREFER = 'resolution=merge-duplicates,return=minimal'

interface RunRow {
  run_id: string
  app: string
  data_source: string
  status: string
  started_at: string
  finished_at: string | null
  args: JsonObject | null
  summary: JsonObject | null
  error: JournalError | null
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
  error: JournalError | null
  records: number
  duration_ms: number
  recorded_at: string
}

function toRun(row: RunRow): JournalRun {
  return {
    runId: row.run_id,
    app: row.app,
    dataSource: row.data_source,
    status: row.status as RunStatus,
    startedAt: parseTimestamp(row.started_at),
    finishedAt: row.finished_at === null ? null : parseTimestamp(row.finished_at),
    args: row.args ?? {},
    summary: row.summary,
    error: row.error,
  }
}

function toItem(row: ItemRow): JournalItem {
  return {
    runId: row.run_id,
    app: row.app,
    dataSource: row.data_source,
    base: row.id_base,
    ext: row.id_ext,
    date: parseTimestamp(row.collection_date),
    label: row.label,
    status: row.status as ItemStatus,
    error: row.error,
    records: Number(row.records),
    durationMs: Number(row.duration_ms),
    recordedAt: parseTimestamp(row.recorded_at),
  }
}

function filterChain(
  steps: readonly [string, string | undefined][],
  column: string,
  from: DateTime | undefined,
  to: DateTime | undefined,
): (chain: PostgrestChain) => PostgrestChain {
  return (chain) => {
    let out = chain
    for (const [name, value] of steps) if (value !== undefined) out = out.eq(name, value)
    if (from) out = out.gte(column, formatPyTs(from))
    if (to) out = out.lt(column, formatPyTs(to))
    return out
  }
}

/**
 * Run journal over PostgREST, on the tables of migration `003_run_journal`: runs are upserted on `run_id`
 * (`finishRun` reads the row and upserts it whole), items on their primary key; reads page with a keyset in the
 * contract's order.
 */
export function createPostgrestJournal(options: PostgrestJournalOptions): RunJournal {
  const runTable = options.runTable ?? 'etl_run'
  const itemTable = options.itemTable ?? 'etl_run_item'
  const pageSize = options.pageSize ?? 1000
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer')
  const name = options.name ?? 'postgrest'
  const client = createPostgrestClient(options)
  let closed = false
  const ensureOpen = (): void => {
    if (closed) throw new Error(`Run journal ${name} is closed`)
  }
  const upsertRun = (row: Record<string, unknown>) =>
    client.request({
      table: runTable,
      method: 'POST',
      build: (t) => t.upsert(row, { onConflict: 'run_id' }).setHeader('Prefer', PREFER),
    })

  return {
    name,

    async startRun(meta: RunMeta): Promise<string> {
      checkRunMeta(meta)
      ensureOpen()
      const runId = newRunId(meta.startedAt)
      await upsertRun({
        run_id: runId,
        app: meta.app,
        data_source: meta.dataSource,
        status: 'running',
        started_at: formatPyTs(meta.startedAt),
        finished_at: null,
        args: meta.args ?? {},
        summary: null,
        error: null,
      })
      return runId
    },

    async recordItem(runId: string, item: ItemRecordInput): Promise<void> {
      checkItem(runId, item)
      ensureOpen()
      const row = {
        run_id: runId,
        app: item.app,
        data_source: item.dataSource,
        id_base: item.base,
        id_ext: item.ext,
        collection_date: formatPyTs(item.date),
        label: item.label,
        status: item.status,
        error: item.error ?? null,
        records: item.records,
        duration_ms: item.durationMs,
        recorded_at: formatPyTs(item.recordedAt),
      }
      await client.request({
        table: itemTable,
        method: 'POST',
        build: (t) => t.upsert(row, { onConflict: RUN_ITEM_CONFLICT }).setHeader('Prefer', PREFER),
      })
    },

    async finishRun(runId: string, finish: RunFinish): Promise<void> {
      checkRunFinish(finish)
      ensureOpen()
      const rows = (await client.request({
        table: runTable,
        method: 'GET',
        build: (t) => t.select(RUN_SELECT).eq('run_id', runId).limit(1),
      })) as RunRow[] | null
      const row = rows?.[0]
      if (!row) throw new Error(`Unknown run ${JSON.stringify(runId)}`)
      await upsertRun({
        ...row,
        status: finish.status,
        finished_at: formatPyTs(finish.finishedAt),
        summary: finish.summary,
        error: finish.error ?? null,
      })
    },

    async *items(filter: ItemFilter = {}, readOptions?: JournalReadOptions): AsyncIterable<JournalItem> {
      checkFilter(filter)
      ensureOpen()
      const pages = client.pages<ItemRow>({
        table: itemTable,
        select: ITEM_SELECT,
        filter: filterChain(
          [
            ['app', filter.app],
            ['data_source', filter.dataSource],
            ['run_id', filter.runId],
            ['status', filter.status],
          ],
          'collection_date',
          filter.from,
          filter.to,
        ),
        order: [
          { column: 'collection_date' },
          { column: 'id_base' },
          { column: 'id_ext' },
          { column: 'recorded_at' },
          { column: 'run_id' },
        ],
        keyOf: (row) => [row.collection_date, row.id_base, row.id_ext, row.recorded_at, row.run_id],
        pageSize,
        signal: readOptions?.signal,
      })
      for await (const page of pages) for (const row of page) yield toItem(row)
    },

    async *runs(filter: RunFilter = {}, readOptions?: JournalReadOptions): AsyncIterable<JournalRun> {
      checkFilter(filter)
      ensureOpen()
      const pages = client.pages<RunRow>({
        table: runTable,
        select: RUN_SELECT,
        filter: filterChain(
          [
            ['run_id', filter.runId],
            ['app', filter.app],
            ['data_source', filter.dataSource],
            ['status', filter.status],
          ],
          'started_at',
          filter.from,
          filter.to,
        ),
        order: [{ column: 'started_at' }, { column: 'run_id' }],
        keyOf: (row) => [row.started_at, row.run_id],
        pageSize,
        signal: readOptions?.signal,
      })
      for await (const page of pages) for (const row of page) yield toRun(row)
    },

    async lastRunId(app: string): Promise<string | null> {
      ensureOpen()
      const rows = (await client.request({
        table: runTable,
        method: 'GET',
        build: (t) =>
          t
            .select('run_id')
            .eq('app', app)
            .order('started_at', { ascending: false })
            .order('run_id', { ascending: false })
            .limit(1),
      })) as { run_id: string }[] | null
      return rows?.[0]?.run_id ?? null
    },

    async close(): Promise<void> {
      closed = true
    },
  }
}
