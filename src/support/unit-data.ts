import type { DateTime } from 'luxon'
import { type Clock, formatDay, formatPyTs, parseTimestamp, startOfLocalDay } from '../util/dates.js'
import type { CatalogEntry } from './catalog-driver.js'
import { InputError, NotFoundError } from './errors.js'
import type { Storage } from './storage.js'

/** One device of the unit data (column order and types per spec §6.1). */
export type UnitDevice = Readonly<Record<string, string | number | null>>

/** The header of a unit-data document. */
export interface UnitDataHeader {
  readonly data_type: string
  readonly target_filename: string
  readonly collection_date: string
  readonly processing_date: string
}

/** A unit-data document: the device inventory of one data source at one time. */
export interface UnitDataDocument {
  readonly header: UnitDataHeader
  readonly devices: readonly UnitDevice[]
}

/**
 * Where fresh unit data comes from (Knack in production, a JSON file in the local profile). Resolves the device
 * list in the spec's shape; throws when the source cannot be read (never returns a partial list).
 */
export interface UnitDataSource {
  readonly name: string
  fetchDevices(dataSource: string): Promise<UnitDevice[]>
  close(): Promise<void>
}

/** Identifier ext of unit-data files. */
export const UNIT_DATA_EXT = 'unit_data.json'

/**
 * Builds a unit-data document for `devices` captured now (spec §6.1 `makeHeader` with `sameDay`: the collection
 * date is the run day's local midnight).
 */
export function makeUnitDataDocument(
  devices: readonly UnitDevice[],
  options: { dataSource: string; areaBase: string; clock: Clock },
): UnitDataDocument {
  const now = options.clock.now()
  const day = startOfLocalDay(now)
  return {
    header: {
      data_type: `${options.dataSource}_unit_data`,
      target_filename: `${options.areaBase}_${options.dataSource}_${formatDay(day)}_${UNIT_DATA_EXT}`,
      collection_date: formatPyTs(day),
      processing_date: formatPyTs(now),
    },
    devices,
  }
}

const ROW_CACHE_LIMIT = 366
const DOCUMENT_CACHE_LIMIT = 4

/**
 * Unit data kept in a repository (the original's `UnitDataStorage`): `store` writes a snapshot with its catalog row,
 * `retrieve(date)` returns the nearest snapshot strictly after the data date (unit data is captured the morning after
 * the data day), asking the catalog once per data date and downloading each snapshot once (the last few are kept;
 * concurrent callers share one download).
 */
export class UnitDataStore {
  readonly #storage: Storage
  readonly #areaBase: string
  readonly #documents = new Map<string, Promise<UnitDataDocument>>()
  readonly #rows = new Map<number, Promise<CatalogEntry | null>>()

  constructor(storage: Storage, areaBase: string) {
    this.#storage = storage
    this.#areaBase = areaBase
  }

  /** Nearest snapshot after `date` (or the newest one without a date); `null` when none exists. */
  async retrieve(date?: DateTime): Promise<UnitDataDocument | null> {
    const catalog = this.#storage.catalog
    if (!catalog) throw new NotFoundError('Unit data lookup needs a catalog.')
    const repository = this.#storage.repository
    const key = date ? date.toMillis() : Number.NaN
    let lookup = date ? this.#rows.get(key) : undefined
    if (!lookup) {
      lookup = date
        ? catalog.queryEarliest(repository, this.#areaBase, UNIT_DATA_EXT, {
            early: date.plus({ seconds: 1 }),
          })
        : catalog.queryLatest(repository, this.#areaBase, UNIT_DATA_EXT)
      if (date) {
        if (this.#rows.size >= ROW_CACHE_LIMIT) this.#rows.clear()
        this.#rows.set(key, lookup)
        lookup.catch(() => this.#rows.delete(key))
      }
    }
    const row = await lookup
    if (!row) return null
    const { pointer } = row
    let document = this.#documents.get(pointer)
    if (!document) {
      document = this.#storage.retrieveJson(pointer).then((value) => asUnitData(value, pointer))
      const oldest = this.#documents.keys().next()
      if (this.#documents.size >= DOCUMENT_CACHE_LIMIT && !oldest.done) this.#documents.delete(oldest.value)
      this.#documents.set(pointer, document)
      document.catch(() => this.#documents.delete(pointer))
    }
    return document
  }

  /** Stores a snapshot (immediate catalog upsert; the header is kept as the row's metadata). */
  async store(document: UnitDataDocument): Promise<void> {
    const collectionDate = parseTimestamp(document.header.collection_date)
    const entry = this.#storage.createCatalogEntry(this.#areaBase, UNIT_DATA_EXT, collectionDate, {
      processingDate: parseTimestamp(document.header.processing_date),
      metadata: document.header,
    })
    await this.#storage.writeJson(document, entry)
  }
}

function asUnitData(value: unknown, pointer: string): UnitDataDocument {
  const doc = value as Partial<UnitDataDocument> | null
  if (!doc || typeof doc !== 'object' || !doc.header || !Array.isArray(doc.devices)) {
    throw new InputError(`Unit data "${pointer}" is not a {header, devices} document.`)
  }
  return doc as UnitDataDocument
}
