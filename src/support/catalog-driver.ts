import type { DateTime } from 'luxon'

/**
 * One catalog row (spec §4.1). The primary key is
 * `(collectionDate, repository, dataSource, idBase, idExt)`.
 */
export interface CatalogEntry {
  /** Bucket name, or `socrata` / `socrata-test` for published items. */
  readonly repository: string
  /** Two-letter data-source code (`bt`, `wt`, `gs`). */
  readonly dataSource: string
  /** Identifier part 1. */
  readonly idBase: string
  /** Identifier part 2. */
  readonly idExt: string
  /** Storage key within the repository, or the Socrata dataset id. */
  readonly pointer: string
  /** Start of the covered period, inclusive. */
  readonly collectionDate: DateTime
  /** End of the covered period, exclusive; `null` means `collectionDate` + 1 day. */
  readonly collectionEnd: DateTime | null
  /** When the item was produced. */
  readonly processingDate: DateTime | null
  /** Optional JSON header. */
  readonly metadata: unknown
}

/** Exact match, or a SQL `LIKE` pattern (`%` and `_` wildcards). */
export type CatalogFilter = string | { readonly like: string }

/** A catalog query, always within one repository and data source. */
export interface CatalogQuery {
  readonly repository: string
  readonly dataSource: string
  /** Filter on `id_base`; omitted means any. */
  readonly base?: CatalogFilter | undefined
  /** Filter on `id_ext`; omitted means any. */
  readonly ext?: CatalogFilter | undefined
  /** Lower bound on `collection_date`: inclusive, or exact equality when `exact` is set. */
  readonly early?: DateTime | null | undefined
  /** Exclusive upper bound on `collection_date`; ignored when `exact` is set. */
  readonly late?: DateTime | null | undefined
  /** `collection_date = early` (no date filter at all when `early` is absent). */
  readonly exact?: boolean | undefined
  /** Ordering of `collection_date`; ties are always `id_base, id_ext` ascending. @default 'asc' */
  readonly order?: 'asc' | 'desc' | undefined
  /** Maximum number of rows to return. @default unlimited */
  readonly limit?: number | undefined
}

/**
 * The catalog contract, implemented by the PGlite, PostgreSQL and PostgREST drivers.
 *
 * - `query` streams rows ordered by `collection_date` (asc or desc), then `id_base, id_ext` ascending,
 *   paging internally so memory does not grow with the result; it yields nothing when nothing matches.
 * - `upsert` inserts or replaces (every supplied column) the rows with the same primary key, in one batch
 *   or a few; a batch must not contain the same key twice (the facade de-duplicates).
 * Both reject with the driver's own error (the facade wraps it).
 */
export interface CatalogDriver {
  /** Driver name for logs (`pglite`, `postgres`, `postgrest`, …). */
  readonly name: string
  /** Rows matching `query`, streamed in order. */
  query(query: CatalogQuery, options?: { signal?: AbortSignal }): AsyncIterable<CatalogEntry>
  /** Insert or replace rows by primary key. */
  upsert(entries: readonly CatalogEntry[]): Promise<void>
  /** Release connections; idempotent. */
  close(): Promise<void>
}
