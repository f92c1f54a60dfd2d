import { AsyncLocalStorage } from 'node:async_hooks'
import type { DateTime } from 'luxon'
import type { CatalogDriver, CatalogEntry, CatalogFilter, CatalogQuery } from './catalog-driver.js'
import { DriverError } from './errors.js'
import type { Logger } from './logger.js'

export type { CatalogDriver, CatalogEntry, CatalogFilter, CatalogQuery } from './catalog-driver.js'

/** A catalog query on the facade: the data source defaults to the facade's own. */
export type CatalogFacadeQuery = Omit<CatalogQuery, 'dataSource'> & { readonly dataSource?: string }

/** Fields of a new catalog entry (the original's `buildCatalogElement`). */
export interface CatalogEntryInput {
  readonly repository: string
  readonly base: string
  readonly ext: string
  readonly collectionDate: DateTime
  readonly pointer: string
  readonly processingDate?: DateTime | null
  readonly collectionEnd?: DateTime | null
  readonly metadata?: unknown
}

/** Options of {@link Catalog}. */
export interface CatalogOptions {
  readonly driver: CatalogDriver
  /** Two-letter data-source code every query and entry is scoped to. */
  readonly dataSource: string
  readonly logger: Logger
  /** Maximum rows per driver upsert call. @default 10000 */
  readonly batchSize?: number
}

function stageKey(entry: CatalogEntry): string {
  return [
    entry.repository,
    entry.dataSource,
    entry.idBase,
    entry.idExt,
    entry.collectionDate.toMillis(),
  ].join('\u0000')
}

/** A set of staged entries, committed together (one per day of work when items run concurrently). */
export type CatalogStage = Map<string, CatalogEntry>

/**
 * The catalog facade (spec §4.3): queries scoped to one data source, staged upserts that are flushed in one batch,
 * and driver errors wrapped in a {@link DriverError} (`E_CATALOG`) whose `cause` is the driver's error.
 *
 * Code run through {@link Catalog.withStage} stages into that stage instead of the default one, so that concurrent
 * items of different days keep their rows apart until their day is committed.
 */
export class Catalog {
  readonly dataSource: string
  readonly #driver: CatalogDriver
  readonly #logger: Logger
  readonly #batchSize: number
  readonly #staged: CatalogStage = new Map()
  readonly #scope = new AsyncLocalStorage<CatalogStage>()

  constructor(options: CatalogOptions) {
    this.dataSource = options.dataSource
    this.#driver = options.driver
    this.#logger = options.logger
    this.#batchSize = options.batchSize ?? 10_000
  }

  /** Rows matching `query`, streamed in catalog order. */
  async *query(query: CatalogFacadeQuery, options?: { signal?: AbortSignal }): AsyncIterable<CatalogEntry> {
    const full: CatalogQuery = { ...query, dataSource: query.dataSource ?? this.dataSource }
    try {
      yield* this.#driver.query(full, options)
    } catch (error) {
      throw new DriverError('E_CATALOG', `Catalog query on "${full.repository}" failed: ${message(error)}`, {
        cause: error,
      })
    }
  }

  /** The row with exactly this identifier, or `null`. */
  async querySingle(repository: string, base: CatalogFilter, ext: CatalogFilter, date: DateTime) {
    return this.#first({ repository, base, ext, early: date, exact: true, limit: 1 })
  }

  /** The newest row in `[early, late)`, or `null`. */
  async queryLatest(repository: string, base?: CatalogFilter, ext?: CatalogFilter, window: DateWindow = {}) {
    return this.#first({ repository, base, ext, ...window, order: 'desc', limit: 1 })
  }

  /** The oldest row in `[early, late)`, or `null`. */
  async queryEarliest(
    repository: string,
    base?: CatalogFilter,
    ext?: CatalogFilter,
    window: DateWindow = {},
  ) {
    return this.#first({ repository, base, ext, ...window, order: 'asc', limit: 1 })
  }

  /** Builds an entry for this data source; optional fields become `null`. */
  buildEntry(input: CatalogEntryInput): CatalogEntry {
    return {
      repository: input.repository,
      dataSource: this.dataSource,
      idBase: input.base,
      idExt: input.ext,
      pointer: input.pointer,
      collectionDate: input.collectionDate,
      collectionEnd: input.collectionEnd ?? null,
      processingDate: input.processingDate ?? null,
      metadata: input.metadata ?? null,
    }
  }

  /** Stages an upsert; a later entry with the same primary key replaces the earlier one. */
  stageUpsert(entry: CatalogEntry): void {
    const stage = this.#scope.getStore() ?? this.#staged
    stage.set(stageKey(entry), entry)
  }

  /** Number of staged, not yet committed entries of the current stage (see {@link Catalog.withStage}). */
  get stagedCount(): number {
    return (this.#scope.getStore() ?? this.#staged).size
  }

  /** Runs `fn` with `stage` receiving what it (and everything it awaits) stages. */
  withStage<T>(stage: CatalogStage, fn: () => Promise<T>): Promise<T> {
    return this.#scope.run(stage, fn)
  }

  /**
   * Upserts every entry of `stage` (the default stage when omitted) in batches and removes them from it; returns
   * how many were written.
   */
  async commitUpsert(stage: CatalogStage = this.#staged): Promise<number> {
    if (stage.size === 0) return 0
    const entries = [...stage.values()]
    await this.upsert(entries)
    for (const entry of entries) stage.delete(stageKey(entry))
    this.#logger.debug({ rows: entries.length }, 'catalog: committed staged rows')
    return entries.length
  }

  /** Upserts entries now, de-duplicated by primary key (last wins), in batches. */
  async upsert(entries: CatalogEntry | readonly CatalogEntry[]): Promise<void> {
    const unique = new Map<string, CatalogEntry>()
    for (const entry of Array.isArray(entries) ? entries : [entries as CatalogEntry])
      unique.set(stageKey(entry), entry)
    const rows = [...unique.values()]
    for (let i = 0; i < rows.length; i += this.#batchSize) {
      const batch = rows.slice(i, i + this.#batchSize)
      try {
        await this.#driver.upsert(batch)
      } catch (error) {
        const first = batch[0]
        throw new DriverError(
          'E_CATALOG',
          `Catalog upsert of ${batch.length} row(s) failed (first: ${first?.repository}/${first?.pointer}): ${message(error)}`,
          { cause: error },
        )
      }
    }
  }

  /** Releases the driver. */
  async close(): Promise<void> {
    await this.#driver.close()
  }

  async #first(query: CatalogFacadeQuery): Promise<CatalogEntry | null> {
    for await (const row of this.query(query)) return row
    return null
  }
}

/** Optional date bounds: `early` inclusive, `late` exclusive. */
export interface DateWindow {
  readonly early?: DateTime | null
  readonly late?: DateTime | null
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
