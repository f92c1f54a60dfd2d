import type {
  CatalogDriver,
  CatalogEntry,
  CatalogFilter,
  CatalogQuery,
} from '../../support/catalog-driver.js'
import { formatPyTs, parseTimestamp } from '../../util/dates.js'
import { checkEntries, checkQuery, metadataJson } from '../catalog/checks.js'
import { compileLike } from '../catalog/like-pattern.js'
import {
  createPostgrestClient,
  type KeysetColumn,
  type PostgrestChain,
  type PostgrestClientOptions,
} from './client.js'

/** Options of {@link createPostgrestCatalog}: the client's options plus the catalog's own. */
export interface PostgrestCatalogOptions extends PostgrestClientOptions {
  /** Table (route) name. @default 'data_lake_cat' */
  readonly table?: string | undefined
  /** Rows per page while streaming a query; clamped to `maxRows`. @default 1000 */
  readonly pageSize?: number | undefined
  /**
   * The server's `db-max-rows` (the City's is 5000, spec §4.1). Pages never ask for more, so a short page
   * reliably means the last one; set it lower if the server caps lower. @default 5000
   */
  readonly maxRows?: number | undefined
  /** Rows per upsert request. @default 1000 */
  readonly batchSize?: number | undefined
  /** Driver name for logs. @default 'postgrest' */
  readonly name?: string | undefined
}

/** The select list of spec §4.2. */
export const CATALOG_SELECT = 'collection_date,collection_end,processing_date,pointer,id_base,id_ext,metadata'

/** The primary key, used as the upsert's `on_conflict` (spec §4.1). */
export const CATALOG_CONFLICT = 'collection_date,repository,data_source,id_base,id_ext'

interface CatalogRow {
  collection_date: string
  collection_end: string | null
  processing_date: string | null
  pointer: string
  id_base: string
  id_ext: string
  metadata: unknown
}

/** A catalog `{ like }` filter as PostgREST `like.` text, and whether the server's match is exact. */
export interface PostgrestLike {
  /** The pattern to send after `like.`. */
  readonly pattern: string
  /** `false` when the server matches a superset and rows must be re-checked with the SQL pattern. */
  readonly exact: boolean
}

/**
 * Converts a SQL `LIKE` pattern to PostgREST's `like.` form. PostgREST turns every `*` into `%` and passes
 * everything else to SQL `LIKE` unchanged, so: an unescaped `%` becomes `*` (spec §4.2); `_` and escapes
 * (`\%`, `\_`, `\\`) pass through with their SQL meaning; a literal `*` (written `*` or `\*`) cannot be
 * sent, so it becomes `_` (any one character) and the result is marked inexact for re-checking.
 * @throws Error for a pattern ending with the escape character (PostgreSQL rejects it too).
 */
export function toPostgrestLike(pattern: string): PostgrestLike {
  let out = ''
  let exact = true
  const chars = Array.from(pattern)
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string
    if (char === '\\') {
      const next = chars[++i]
      if (next === undefined) throw new Error('LIKE pattern must not end with escape character')
      if (next === '*') {
        out += '_'
        exact = false
      } else out += `\\${next}`
    } else if (char === '*') {
      out += '_'
      exact = false
    } else out += char === '%' ? '*' : char
  }
  return { pattern: out, exact }
}

function toEntry(query: CatalogQuery, row: CatalogRow): CatalogEntry {
  return {
    repository: query.repository,
    dataSource: query.dataSource,
    idBase: row.id_base,
    idExt: row.id_ext,
    pointer: row.pointer,
    collectionDate: parseTimestamp(row.collection_date),
    collectionEnd: row.collection_end === null ? null : parseTimestamp(row.collection_end),
    processingDate: row.processing_date === null ? null : parseTimestamp(row.processing_date),
    metadata: row.metadata ?? null,
  }
}

function toRow(entry: CatalogEntry): Record<string, unknown> {
  const metadata = metadataJson(entry.metadata)
  return {
    repository: entry.repository,
    data_source: entry.dataSource,
    id_base: entry.idBase,
    id_ext: entry.idExt,
    pointer: entry.pointer,
    collection_date: formatPyTs(entry.collectionDate),
    collection_end: entry.collectionEnd ? formatPyTs(entry.collectionEnd) : null,
    processing_date: entry.processingDate ? formatPyTs(entry.processingDate) : null,
    metadata: metadata === null ? null : JSON.parse(metadata),
  }
}

/** A query's filters (spec §4.2) ready to add to each page request, and the re-check of inexact `like`s. */
interface FilterPlan {
  readonly apply: (chain: PostgrestChain) => PostgrestChain
  readonly recheck: ((row: CatalogRow) => boolean) | null
}

function planFilters(query: CatalogQuery): FilterPlan {
  const steps: Array<(chain: PostgrestChain) => PostgrestChain> = [
    (c) => c.eq('repository', query.repository).eq('data_source', query.dataSource),
  ]
  const checks: Array<(row: CatalogRow) => boolean> = []
  const idFilter = (column: 'id_base' | 'id_ext', filter: CatalogFilter | undefined): void => {
    if (filter === undefined) return
    if (typeof filter === 'string') {
      steps.push((c) => c.eq(column, filter))
      return
    }
    const like = toPostgrestLike(filter.like)
    steps.push((c) => c.like(column, like.pattern))
    if (!like.exact) {
      const regex = compileLike(filter.like)
      checks.push((row) => regex.test(row[column]))
    }
  }
  idFilter('id_base', query.base)
  idFilter('id_ext', query.ext)
  const { early, late } = query
  if (early) {
    const text = formatPyTs(early)
    steps.push((c) => (query.exact ? c.eq('collection_date', text) : c.gte('collection_date', text)))
  }
  if (late && !query.exact) {
    const text = formatPyTs(late)
    steps.push((c) => c.lt('collection_date', text))
  }
  return {
    apply: (chain) => steps.reduce((c, step) => step(c), chain),
    recheck: checks.length === 0 ? null : (row) => checks.every((check) => check(row)),
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer`)
  return value
}

/**
 * Catalog driver over PostgREST (spec §4.2) using postgrest-js. Queries send the original's select list,
 * filters and order, and page with a keyset (`or=(collection_date.gt."…",and(collection_date.eq."…",…))`
 * after the previous page's last row) so rows inserted during a long read are neither repeated nor
 * shift later pages. Upserts POST arrays of ≤ `batchSize` rows with `Prefer: resolution=merge-duplicates,
 * return=minimal` and `on_conflict` the primary key; dates are sent as PyTS text. Each batch is its own
 * transaction; a failed call may leave earlier batches written (repeating the call is safe).
 */
export function createPostgrestCatalog(options: PostgrestCatalogOptions): CatalogDriver {
  const table = options.table ?? 'data_lake_cat'
  const maxRows = positiveInteger(options.maxRows ?? 5000, 'maxRows')
  const pageSize = Math.min(positiveInteger(options.pageSize ?? 1000, 'pageSize'), maxRows)
  const batchSize = positiveInteger(options.batchSize ?? 1000, 'batchSize')
  const name = options.name ?? 'postgrest'
  const client = createPostgrestClient(options)
  let closed = false
  const ensureOpen = (): void => {
    if (closed) throw new Error(`Catalog driver ${name} is closed`)
  }

  return {
    name,

    async *query(query: CatalogQuery, queryOptions?: { signal?: AbortSignal }): AsyncIterable<CatalogEntry> {
      const signal = queryOptions?.signal
      checkQuery(query)
      ensureOpen()
      const limit = query.limit ?? Number.POSITIVE_INFINITY
      if (limit <= 0) return
      const plan = planFilters(query)
      const order: KeysetColumn[] = [
        { column: 'collection_date', descending: query.order === 'desc' },
        { column: 'id_base' },
        { column: 'id_ext' },
      ]
      const pages = client.pages<CatalogRow>({
        table,
        select: CATALOG_SELECT,
        filter: plan.apply,
        order,
        keyOf: (row) => [row.collection_date, row.id_base, row.id_ext],
        pageSize,
        limit: plan.recheck ? undefined : limit,
        signal,
      })
      let yielded = 0
      for await (const page of pages) {
        for (const row of page) {
          signal?.throwIfAborted()
          if (plan.recheck && !plan.recheck(row)) continue
          yield toEntry(query, row)
          yielded++
          if (yielded >= limit) return
        }
      }
    },

    async upsert(entries: readonly CatalogEntry[]): Promise<void> {
      checkEntries(entries)
      ensureOpen()
      for (let start = 0; start < entries.length; start += batchSize) {
        const rows = entries.slice(start, start + batchSize).map(toRow)
        await client.request({
          table,
          method: 'POST',
          build: (t) =>
            t
              .upsert(rows, { onConflict: CATALOG_CONFLICT, defaultToNull: true })
              .setHeader('Prefer', 'resolution=merge-duplicates,return=minimal'),
        })
      }
    },

    async close(): Promise<void> {
      closed = true
    },
  }
}
