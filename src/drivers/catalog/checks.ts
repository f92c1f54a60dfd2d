import { DateTime } from 'luxon'
import type { CatalogEntry, CatalogFilter, CatalogQuery } from '../../support/catalog-driver.js'

/** Throws a TypeError unless `value` is a valid luxon DateTime (or `null` when `nullable`). */
export function checkDate(value: unknown, field: string, nullable: boolean): void {
  if (value === null || value === undefined) {
    if (nullable) return
    throw new TypeError(`${field} is required`)
  }
  if (!DateTime.isDateTime(value)) throw new TypeError(`${field} must be a luxon DateTime`)
  if (!value.isValid)
    throw new TypeError(`${field} is an invalid DateTime: ${value.invalidExplanation ?? ''}`)
}

function checkString(value: unknown, field: string): void {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string`)
}

function checkFilter(value: CatalogFilter | undefined, field: string): void {
  if (value === undefined) return
  if (typeof value === 'string') return
  if (typeof value === 'object' && value !== null && typeof value.like === 'string') return
  throw new TypeError(`${field} must be a string or { like: string }`)
}

/**
 * Validates a catalog query the same way in every driver.
 * @throws TypeError for a missing repository/data source, a malformed filter or an invalid date;
 *   RangeError for a negative or fractional `limit` or an unknown `order`.
 */
export function checkQuery(query: CatalogQuery): void {
  checkString(query.repository, 'repository')
  checkString(query.dataSource, 'dataSource')
  checkFilter(query.base, 'base')
  checkFilter(query.ext, 'ext')
  checkDate(query.early, 'early', true)
  checkDate(query.late, 'late', true)
  if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') {
    throw new RangeError(`order must be 'asc' or 'desc', not ${JSON.stringify(query.order)}`)
  }
  const limit = query.limit
  if (
    limit !== undefined &&
    !(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 0))
  ) {
    throw new RangeError(`limit must be a non-negative integer, not ${String(limit)}`)
  }
}

/**
 * Validates one entry to upsert.
 * @throws TypeError naming the first bad field.
 */
export function checkEntry(entry: CatalogEntry): void {
  checkString(entry.repository, 'repository')
  checkString(entry.dataSource, 'dataSource')
  checkString(entry.idBase, 'idBase')
  checkString(entry.idExt, 'idExt')
  checkString(entry.pointer, 'pointer')
  checkDate(entry.collectionDate, 'collectionDate', false)
  checkDate(entry.collectionEnd, 'collectionEnd', true)
  checkDate(entry.processingDate, 'processingDate', true)
}

/** Primary-key text of an entry: same instant and same identifiers give the same text. */
export function entryKey(entry: CatalogEntry): string {
  return JSON.stringify([
    entry.collectionDate.toMillis(),
    entry.repository,
    entry.dataSource,
    entry.idBase,
    entry.idExt,
  ])
}

/**
 * Validates every entry and rejects a batch that holds the same primary key twice (the contract forbids
 * it; PostgreSQL would reject it only within one statement, so every driver checks the whole call).
 * @throws TypeError for an invalid entry, Error for a duplicate key.
 */
export function checkEntries(entries: readonly CatalogEntry[]): void {
  const seen = new Set<string>()
  for (const entry of entries) {
    checkEntry(entry)
    const key = entryKey(entry)
    if (seen.has(key)) throw new Error(`Duplicate catalog key in one upsert: ${key}`)
    seen.add(key)
  }
}

/** The JSON text stored for `metadata`: `null`/`undefined` (and values JSON cannot hold) become `null`. */
export function metadataJson(metadata: unknown): string | null {
  if (metadata === null || metadata === undefined) return null
  const text = JSON.stringify(metadata)
  return text === undefined || text === 'null' ? null : text
}
