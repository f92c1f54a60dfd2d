import type { DateTime } from 'luxon'
import type {
  CatalogDriver,
  CatalogEntry,
  CatalogFilter,
  CatalogQuery,
} from '../../support/catalog-driver.js'
import { LOCAL_ZONE } from '../../util/dates.js'
import { checkEntries, checkQuery, metadataJson } from './checks.js'
import { compareCodePoints, compileLike } from './like-pattern.js'

/** Options of {@link createMemoryCatalog}. */
export interface MemoryCatalogOptions {
  /** Rows read per page while streaming (pages see upserts made between them, as SQL keyset paging does). @default 1000 */
  pageSize?: number | undefined
  /** Driver name for logs. @default 'memory' */
  name?: string | undefined
}

interface Stored {
  readonly ms: number
  readonly idBase: string
  readonly idExt: string
  readonly entry: Omit<CatalogEntry, 'metadata'>
  readonly metadata: string | null
}

interface Cursor {
  readonly ms: number
  readonly idBase: string
  readonly idExt: string
}

function compareKey(row: Cursor, key: Cursor): number {
  if (row.ms !== key.ms) return row.ms < key.ms ? -1 : 1
  return compareCodePoints(row.idBase, key.idBase) || compareCodePoints(row.idExt, key.idExt)
}

/** First index whose row satisfies `!before(row)` (rows are sorted so `before` is true then false). */
function search(rows: readonly Stored[], before: (row: Stored) => boolean): number {
  let lo = 0
  let hi = rows.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (before(rows[mid] as Stored)) lo = mid + 1
    else hi = mid
  }
  return lo
}

const firstAtOrAfter = (rows: readonly Stored[], ms: number): number => search(rows, (row) => row.ms < ms)
const firstAfter = (rows: readonly Stored[], ms: number): number => search(rows, (row) => row.ms <= ms)
const firstAfterKey = (rows: readonly Stored[], key: Cursor): number =>
  search(rows, (row) => compareKey(row, key) <= 0)

function matcher(filter: CatalogFilter | undefined): (value: string) => boolean {
  if (filter === undefined) return () => true
  if (typeof filter === 'string') return (value) => value === filter
  const regex = compileLike(filter.like)
  return (value) => regex.test(value)
}

/** Bounds of one query on `collection_date` in epoch ms; `exact` is set only when `early` is. */
interface Window {
  readonly early: number | null
  readonly late: number | null
  readonly exact: boolean
}

function windowOf(query: CatalogQuery): Window {
  const early = query.early ? query.early.toMillis() : null
  const exact = Boolean(query.exact) && early !== null
  return { early, late: !query.exact && query.late ? query.late.toMillis() : null, exact }
}

function inWindow(ms: number, window: Window): boolean {
  if (window.exact) return ms === window.early
  return (window.early === null || ms >= window.early) && (window.late === null || ms < window.late)
}

function pageAsc(rows: readonly Stored[], window: Window, cursor: Cursor | undefined): Iterable<Stored> {
  const start = cursor
    ? firstAfterKey(rows, cursor)
    : window.early === null
      ? 0
      : firstAtOrAfter(rows, window.early)
  return (function* () {
    for (let i = start; i < rows.length; i++) {
      const row = rows[i] as Stored
      if (!inWindow(row.ms, window)) return
      yield row
    }
  })()
}

function pageDesc(rows: readonly Stored[], window: Window, cursor: Cursor | undefined): Iterable<Stored> {
  let groupEnd: number
  if (cursor) groupEnd = firstAfter(rows, cursor.ms)
  else if (window.exact && window.early !== null) groupEnd = firstAfter(rows, window.early)
  else groupEnd = window.late === null ? rows.length : firstAtOrAfter(rows, window.late)
  return (function* () {
    while (groupEnd > 0) {
      const ms = (rows[groupEnd - 1] as Stored).ms
      if (!inWindow(ms, window)) return
      const groupStart = firstAtOrAfter(rows, ms)
      const from = cursor && ms === cursor.ms ? Math.max(groupStart, firstAfterKey(rows, cursor)) : groupStart
      for (let i = from; i < groupEnd; i++) yield rows[i] as Stored
      groupEnd = groupStart
    }
  })()
}

function toLocal(value: DateTime | null): DateTime | null {
  return value ? value.setZone(LOCAL_ZONE) : null
}

/**
 * In-memory catalog with the same semantics as the SQL drivers (for fast tests): rows sorted by
 * `(collection_date, id_base, id_ext)` per repository and data source, keyset paging, `LIKE` with `%`, `_`
 * and `\`, code-point ordering (PostgreSQL's `C` collation), dates returned in America/Chicago, metadata
 * stored as JSON text.
 */
export function createMemoryCatalog(options: MemoryCatalogOptions = {}): CatalogDriver {
  const pageSize = options.pageSize ?? 1000
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer')
  const name = options.name ?? 'memory'
  const partitions = new Map<string, Stored[]>()
  let closed = false
  const partitionKey = (repository: string, dataSource: string): string =>
    JSON.stringify([repository, dataSource])
  const assertOpen = (): void => {
    if (closed) throw new Error(`Catalog driver ${name} is closed`)
  }

  return {
    name,

    async *query(query: CatalogQuery, queryOptions?: { signal?: AbortSignal }): AsyncIterable<CatalogEntry> {
      const signal = queryOptions?.signal
      checkQuery(query)
      let remaining = query.limit ?? Number.POSITIVE_INFINITY
      if (remaining <= 0) return
      const window = windowOf(query)
      const matchBase = matcher(query.base)
      const matchExt = matcher(query.ext)
      const page = query.order === 'desc' ? pageDesc : pageAsc
      let cursor: Cursor | undefined
      for (;;) {
        signal?.throwIfAborted()
        assertOpen()
        const rows = partitions.get(partitionKey(query.repository, query.dataSource)) ?? []
        const pageLimit = Math.min(pageSize, remaining)
        const found: CatalogEntry[] = []
        for (const row of page(rows, window, cursor)) {
          cursor = row
          if (!matchBase(row.idBase) || !matchExt(row.idExt)) continue
          found.push({ ...row.entry, metadata: row.metadata === null ? null : JSON.parse(row.metadata) })
          if (found.length >= pageLimit) break
        }
        for (const entry of found) {
          signal?.throwIfAborted()
          yield entry
        }
        remaining -= found.length
        if (found.length < pageLimit || remaining <= 0) return
      }
    },

    async upsert(entries: readonly CatalogEntry[]): Promise<void> {
      assertOpen()
      checkEntries(entries)
      for (const entry of entries) {
        const key = partitionKey(entry.repository, entry.dataSource)
        let rows = partitions.get(key)
        if (!rows) {
          rows = []
          partitions.set(key, rows)
        }
        const stored: Stored = {
          ms: entry.collectionDate.toMillis(),
          idBase: entry.idBase,
          idExt: entry.idExt,
          metadata: metadataJson(entry.metadata),
          entry: Object.freeze({
            repository: entry.repository,
            dataSource: entry.dataSource,
            idBase: entry.idBase,
            idExt: entry.idExt,
            pointer: entry.pointer,
            collectionDate: entry.collectionDate.setZone(LOCAL_ZONE),
            collectionEnd: toLocal(entry.collectionEnd),
            processingDate: toLocal(entry.processingDate),
          }),
        }
        const index = search(rows, (row) => compareKey(row, stored) < 0)
        const existing = rows[index]
        if (existing && compareKey(existing, stored) === 0) rows[index] = stored
        else rows.splice(index, 0, stored)
      }
    },

    async close(): Promise<void> {
      closed = true
    },
  }
}
