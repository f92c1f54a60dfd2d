import type {
  CatalogDriver,
  CatalogEntry,
  CatalogFilter,
  CatalogQuery,
} from '../../support/catalog-driver.js'
import { checkEntries, checkQuery, metadataJson } from '../catalog/checks.js'
import { memoiseAsync } from './memoise.js'
import { catalogSchemaStatements, DEFAULT_SCHEMA, qualifiedName, TABLES } from './schema.js'
import { memoiseClient, type SqlClient, type SqlClientSource, withTransaction } from './sql-client.js'
import { fromSqlTimestamp, timestampText, toSqlTimestamp, toSqlTimestampOrNull } from './sql-time.js'
import { type UpsertSpec, upsertRows } from './upsert.js'

/** Options of {@link createSqlCatalog}. */
export interface SqlCatalogOptions {
  /** A ready client (left open by `close()`), or an async factory called on first use (closed by `close()`). */
  client: SqlClientSource
  /** Schema of the table. @default 'api' */
  schema?: string | undefined
  /** Table name. @default 'data_lake_cat' */
  table?: string | undefined
  /** Rows fetched per page while streaming a query. @default 1000 */
  pageSize?: number | undefined
  /** Driver name for logs. @default 'sql' */
  name?: string | undefined
  /** Create the schema, table and indexes (idempotently) before first use. @default false */
  migrate?: boolean | undefined
  /**
   * Called once by `close()` instead of the default (close a client that came from a factory, leave a
   * ready client open); e.g. to release a reference on a shared database.
   */
  release?: (() => Promise<void>) | undefined
}

/** Default page size of catalog queries. */
export const DEFAULT_PAGE_SIZE = 1000

interface CatalogRow {
  id_base: string
  id_ext: string
  pointer: string
  collection_date: string
  collection_end: string | null
  processing_date: string | null
  metadata: string | null
}

/** Where the previous page ended: the last row's sort key. */
export interface CatalogCursor {
  /** Exact UTC text of the last row's `collection_date` (microseconds kept, unlike a DateTime). */
  readonly date: string
  readonly base: string
  readonly ext: string
}

const COLUMNS = [
  'repository',
  'data_source',
  'id_base',
  'id_ext',
  'pointer',
  'collection_date',
  'collection_end',
  'processing_date',
  'metadata',
] as const

const SELECT_LIST = [
  'id_base',
  'id_ext',
  'pointer',
  `${timestampText('collection_date')} as collection_date`,
  `${timestampText('collection_end')} as collection_end`,
  `${timestampText('processing_date')} as processing_date`,
  'metadata::text as metadata',
].join(', ')

/**
 * Builds one page's parameterised select: the query's filters, keyset paging after `cursor` (no OFFSET), the
 * contract's order and `limit pageLimit`.
 */
export function buildCatalogPageSql(
  table: string,
  query: CatalogQuery,
  cursor: CatalogCursor | undefined,
  pageLimit: number,
): { text: string; params: unknown[] } {
  const params: unknown[] = []
  const bind = (value: unknown): string => {
    params.push(value)
    return `$${params.length}`
  }
  const where = [`repository = ${bind(query.repository)}`, `data_source = ${bind(query.dataSource)}`]
  const filter = (column: string, value: CatalogFilter | undefined): void => {
    if (value === undefined) return
    if (typeof value === 'string') where.push(`${column} = ${bind(value)}`)
    else where.push(`${column} like ${bind(value.like)}`)
  }
  filter('id_base', query.base)
  filter('id_ext', query.ext)
  if (query.early) {
    where.push(
      `collection_date ${query.exact ? '=' : '>='} ${bind(toSqlTimestamp(query.early))}::timestamptz`,
    )
  }
  if (query.late && !query.exact) {
    where.push(`collection_date < ${bind(toSqlTimestamp(query.late))}::timestamptz`)
  }
  const desc = query.order === 'desc'
  if (cursor) {
    const date = `${bind(cursor.date)}::timestamptz`
    const base = bind(cursor.base)
    const ext = bind(cursor.ext)
    where.push(
      desc
        ? `(collection_date < ${date} or (collection_date = ${date} and (id_base, id_ext) > (${base}, ${ext})))`
        : `(collection_date, id_base, id_ext) > (${date}, ${base}, ${ext})`,
    )
  }
  const text = `select ${SELECT_LIST} from ${table} as c
where ${where.join(' and ')}
order by c.collection_date ${desc ? 'desc' : 'asc'}, c.id_base asc, c.id_ext asc
limit ${bind(pageLimit)}`
  return { text, params }
}

function toEntry(query: CatalogQuery, row: CatalogRow): CatalogEntry {
  const collectionDate = fromSqlTimestamp(row.collection_date)
  if (!collectionDate) throw new Error('collection_date is null')
  return {
    repository: query.repository,
    dataSource: query.dataSource,
    idBase: row.id_base,
    idExt: row.id_ext,
    pointer: row.pointer,
    collectionDate,
    collectionEnd: fromSqlTimestamp(row.collection_end),
    processingDate: fromSqlTimestamp(row.processing_date),
    metadata: row.metadata === null ? null : JSON.parse(row.metadata),
  }
}

/**
 * Catalog driver over any PostgreSQL reachable through a {@link SqlClient} (PGlite here; `pg` later).
 * Queries stream with keyset paging on `(collection_date, id_base, id_ext)`, one page in memory at a time;
 * upserts send multi-row `insert … on conflict do update` statements of ≤ 1000 rows in one transaction.
 */
export function createSqlCatalog(options: SqlCatalogOptions): CatalogDriver {
  const schema = options.schema ?? DEFAULT_SCHEMA
  const tableName = options.table ?? TABLES.catalog
  const table = qualifiedName(schema, tableName)
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer`)
  const name = options.name ?? 'sql'
  const ownsClient = typeof options.client === 'function'
  const resolveClient = memoiseClient(options.client)
  let acquired: Promise<SqlClient> | undefined
  const getClient = (): Promise<SqlClient> => {
    acquired = resolveClient()
    return acquired
  }
  const spec: UpsertSpec = {
    table,
    columns: COLUMNS,
    casts: {
      collection_date: 'timestamptz',
      collection_end: 'timestamptz',
      processing_date: 'timestamptz',
      metadata: 'jsonb',
    },
    conflict: ['collection_date', 'repository', 'data_source', 'id_base', 'id_ext'],
  }
  const ready = memoiseAsync(async (): Promise<SqlClient> => {
    const client = await getClient()
    if (options.migrate) {
      for (const statement of catalogSchemaStatements(schema, tableName)) await client.query(statement)
    }
    return client
  })
  let closed: Promise<void> | undefined

  const open = (): Promise<SqlClient> => {
    if (closed) return Promise.reject(new Error(`Catalog driver ${name} is closed`))
    return ready()
  }

  return {
    name,

    async *query(query: CatalogQuery, queryOptions?: { signal?: AbortSignal }): AsyncIterable<CatalogEntry> {
      const signal = queryOptions?.signal
      checkQuery(query)
      let remaining = query.limit ?? Number.POSITIVE_INFINITY
      if (remaining <= 0) return
      let cursor: CatalogCursor | undefined
      for (;;) {
        signal?.throwIfAborted()
        const client = await open()
        const pageLimit = Math.min(pageSize, remaining)
        const { text, params } = buildCatalogPageSql(table, query, cursor, pageLimit)
        const { rows } = await client.query<CatalogRow>(text, params)
        for (const row of rows) {
          signal?.throwIfAborted()
          yield toEntry(query, row)
        }
        remaining -= rows.length
        const last = rows.at(-1)
        if (!last || rows.length < pageLimit || remaining <= 0) return
        cursor = { date: last.collection_date, base: last.id_base, ext: last.id_ext }
      }
    },

    async upsert(entries: readonly CatalogEntry[]): Promise<void> {
      checkEntries(entries)
      const client = await open()
      if (entries.length === 0) return
      const rows = entries.map((entry) => [
        entry.repository,
        entry.dataSource,
        entry.idBase,
        entry.idExt,
        entry.pointer,
        toSqlTimestamp(entry.collectionDate),
        toSqlTimestampOrNull(entry.collectionEnd),
        toSqlTimestampOrNull(entry.processingDate),
        metadataJson(entry.metadata),
      ])
      await withTransaction(client, (tx) => upsertRows(tx, spec, rows))
    },

    close(): Promise<void> {
      closed ??= (async () => {
        if (options.release) await options.release()
        else if (ownsClient && acquired) await (await acquired.catch(() => undefined))?.close()
      })()
      return closed
    },
  }
}
