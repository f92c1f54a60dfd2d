import type { DateTime } from 'luxon'
import { DATA_SOURCE_CODES } from '../config/data-sources.js'
import { createDriverSet } from '../config/factories.js'
import { PURPOSES, repositoryFor } from '../config/repositories.js'
import type { Settings } from '../config/schema.js'
import { Catalog } from '../support/catalog.js'
import type { CatalogEntry } from '../support/catalog-driver.js'
import type { Logger } from '../support/logger.js'
import { type Clock, formatPyTs, parseDateArg, parseStartDateArg } from '../util/dates.js'

/** Options of {@link runCatalogQuery}. */
export interface CatalogQueryOptions {
  readonly settings: Settings
  readonly logger: Logger
  readonly clock: Clock
  /** Repository names; default: every configured repository of the mode. */
  readonly repositories?: readonly string[]
  /** Data-source codes; default: all. */
  readonly sources?: readonly string[]
  readonly start?: string | number | null
  readonly end?: string | number | null
  readonly debug?: boolean
  /** Emit a JSON array instead of a table. */
  readonly json?: boolean
  /** Receives output text. */
  readonly write: (text: string) => void
}

const COLUMNS = [
  'collection_date',
  'repository',
  'data_source',
  'id_base',
  'id_ext',
  'pointer',
  'processing_date',
] as const

function toRecord(row: CatalogEntry) {
  return {
    collection_date: formatPyTs(row.collectionDate),
    collection_end: row.collectionEnd ? formatPyTs(row.collectionEnd) : null,
    repository: row.repository,
    data_source: row.dataSource,
    id_base: row.idBase,
    id_ext: row.idExt,
    pointer: row.pointer,
    processing_date: row.processingDate ? formatPyTs(row.processingDate) : null,
    metadata: row.metadata ?? null,
  }
}

/**
 * `catalog-etl catalog query`: streams catalog rows, repository by repository and source by source, as a table or
 * a JSON array. Returns the number of rows.
 */
export async function runCatalogQuery(options: CatalogQueryOptions): Promise<number> {
  const debug = options.debug ?? false
  const repositories =
    options.repositories && options.repositories.length > 0
      ? options.repositories
      : PURPOSES.map((p) => repositoryFor(options.settings.repositories, p, debug))
  const sources = options.sources && options.sources.length > 0 ? options.sources : DATA_SOURCE_CODES
  const early: DateTime | null =
    options.start === undefined || options.start === null
      ? null
      : parseStartDateArg(options.start, { now: options.clock.now(), dateOnly: true })
  const late =
    options.end === undefined || options.end === null ? null : parseDateArg(options.end, { dateOnly: true })
  const drivers = createDriverSet(options.settings, { debug })
  const write = options.write
  let count = 0
  try {
    if (options.json) write('[')
    else write(`${COLUMNS.join('\t')}\n`)
    for (const dataSource of sources) {
      const catalog = new Catalog({ driver: drivers.catalog(), dataSource, logger: options.logger })
      for (const repository of repositories) {
        for await (const row of catalog.query({ repository, early, late })) {
          const record = toRecord(row)
          if (options.json) write(`${count === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`)
          else write(`${COLUMNS.map((c) => record[c] ?? '').join('\t')}\n`)
          count += 1
        }
      }
    }
    if (options.json) write(count === 0 ? ']\n' : '\n]\n')
    else write(`(${count} row${count === 1 ? '' : 's'})\n`)
  } finally {
    await drivers.close()
  }
  return count
}
