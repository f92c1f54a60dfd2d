import type { CatalogEntry, CatalogFilter, CatalogQuery } from '../catalog-driver.js'
import { EtlError } from '../errors.js'
import type { ItemProvider, ProviderItem, ProviderWindow } from '../items.js'

/** The part of a catalog (driver or facade) the provider needs. */
export interface CatalogQuerySource {
  /** Rows matching `query`, ordered by `collection_date`, then `id_base, id_ext`. */
  query(query: CatalogQuery, options?: { signal?: AbortSignal }): AsyncIterable<CatalogEntry>
}

/** Settings of {@link createCatalogProvider}. */
export interface CatalogProviderOptions {
  /** Where the rows are read from. */
  readonly catalog: CatalogQuerySource
  /** Repository (bucket or `socrata`) to list. */
  readonly repository: string
  /** Two-letter data-source code. */
  readonly dataSource: string
  /** Filter on `id_base` (exact, or `{ like }`); omitted means any. */
  readonly base?: CatalogFilter | undefined
  /** Filter on `id_ext` (exact, or `{ like }`); omitted means any. */
  readonly ext?: CatalogFilter | undefined
}

/** Builds the catalog query for a window: `start == end` (both `null` included) is an exact query. */
export function catalogWindowQuery(options: CatalogProviderOptions, window: ProviderWindow): CatalogQuery {
  const { start, end } = window
  const sameBound = start === null ? end === null : end !== null && start.toMillis() === end.toMillis()
  return {
    repository: options.repository,
    dataSource: options.dataSource,
    ...(options.base !== undefined ? { base: options.base } : {}),
    ...(options.ext !== undefined ? { ext: options.ext } : {}),
    ...(sameBound ? { early: start, exact: true } : { early: start, late: end }),
  }
}

/**
 * Lists catalog rows of one repository and data source (the original's `LastUpdCatProv`, spec §3.2):
 * `base = idBase`, `ext = idExt`, `date = collectionDate`, `dateEnd = collectionEnd`, the row as payload and
 * its pointer as label. Streams the catalog's own paging; holds no rows.
 */
export function createCatalogProvider(options: CatalogProviderOptions): ItemProvider<CatalogEntry> {
  return {
    async *list(window, listOptions) {
      const query = catalogWindowQuery(options, window)
      const queryOptions = listOptions?.signal ? { signal: listOptions.signal } : undefined
      for await (const entry of options.catalog.query(query, queryOptions)) {
        const item: ProviderItem<CatalogEntry> = {
          base: entry.idBase,
          ext: entry.idExt,
          date: entry.collectionDate,
          dateEnd: entry.collectionEnd,
          payload: entry,
          label: entry.pointer,
          updated: entry.processingDate,
        }
        yield item
      }
    },
  }
}

/** The part of a `Storage` facade {@link createStorageCatalogProvider} needs. */
export interface CatalogBackedRepository {
  readonly repository: string
  readonly dataSource: string
  readonly catalog: CatalogQuerySource | null
}

/**
 * Lists the catalog rows of a storage's own repository (the original's `LastUpdStorageCatProv`): the same as
 * {@link createCatalogProvider} with the storage's catalog, repository and data source.
 */
export function createStorageCatalogProvider(
  storage: CatalogBackedRepository,
  filters: { readonly base?: CatalogFilter; readonly ext?: CatalogFilter } = {},
): ItemProvider<CatalogEntry> {
  if (!storage.catalog)
    throw new EtlError('E_CONFIG', `Repository "${storage.repository}" has no catalog to list.`)
  return createCatalogProvider({
    catalog: storage.catalog,
    repository: storage.repository,
    dataSource: storage.dataSource,
    base: filters.base,
    ext: filters.ext,
  })
}
