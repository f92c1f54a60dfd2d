import { createMemoryCatalog } from '../drivers/catalog/memory.js'
import { createMemoryJournal } from '../drivers/journal/memory.js'
import { createPostgrestCatalog } from '../drivers/postgrest/catalog.js'
import { createPostgrestJournal } from '../drivers/postgrest/journal.js'
import { createPostgrestPerfmet } from '../drivers/postgrest/perfmet.js'
import { createPostgrestRunLock } from '../drivers/postgrest/run-lock.js'
import { createMemoryRunLock } from '../drivers/run-lock/memory.js'
import { createSqlJournal } from '../drivers/sql/journal-sql.js'
import { createPgliteDatabase } from '../drivers/sql/pglite-database.js'
import { createPostgresDatabase } from '../drivers/sql/postgres-database.js'
import { createSqlRunLock } from '../drivers/sql/run-lock-sql.js'
import type { CatalogDriver } from '../support/catalog-driver.js'
import { assertNever, ConfigError } from '../support/errors.js'
import type { Logger } from '../support/logger.js'
import type { PerfmetDriver } from '../support/perfmet-driver.js'
import type { RunJournal } from '../support/run-journal.js'
import type { RunLock } from '../support/run-lock.js'
import type { CatalogKind, CatalogTarget, Settings } from './schema.js'

/** The database (or API) that holds the catalog and the perfmet tables of one target. */
export interface CatalogBackend {
  catalog(): CatalogDriver
  /** `null` when the backend has no perfmet tables (the memory catalog). */
  perfmet(): PerfmetDriver | null
  /** The overlap lock of runs (a lock row beside the catalog). */
  lock(): RunLock
  /** The run journal (runs and item outcomes beside the catalog). */
  journal(): RunJournal
  close(): Promise<void>
}

const NOTHING_TO_CLOSE = async () => {}
const KEEP_OPEN = async () => {}

function requireUrl(kind: CatalogKind, target: CatalogTarget, debug: boolean): string {
  if (target.url) return target.url
  throw new ConfigError(
    debug
      ? `--debug needs its own catalog target so that it can never write to production: set catalog.debug.url (CATALOG_ETL_DEBUG_CATALOG_URL) for catalog.kind "${kind}".`
      : `catalog.kind "${kind}" needs catalog.production.url (CATALOG_ETL_CATALOG_URL).`,
  )
}

/** Builds the catalog backend of the production or the debug target. */
export function createCatalogBackend(settings: Settings, debug: boolean, logger?: Logger): CatalogBackend {
  const kind = settings.catalog.kind
  const target = debug ? settings.catalog.debug : settings.catalog.production
  const schema = settings.catalog.schema
  switch (kind) {
    case 'memory': {
      const journal = createMemoryJournal()
      return {
        catalog: () => createMemoryCatalog(),
        perfmet: () => null,
        lock: () => createMemoryRunLock(),
        journal: () => journal,
        close: NOTHING_TO_CLOSE,
      }
    }
    case 'pglite': {
      const db = createPgliteDatabase({ dataDir: target.dataDir ?? undefined })
      return {
        catalog: () => db.catalog(),
        perfmet: () => db.perfmet(),
        lock: () => createSqlRunLock({ client: db.client, migrate: true, release: KEEP_OPEN }),
        journal: () => createSqlJournal({ client: db.client, migrate: true, release: KEEP_OPEN }),
        close: () => db.close(),
      }
    }
    case 'postgres': {
      const db = createPostgresDatabase({ url: requireUrl(kind, target, debug), schema })
      return {
        catalog: () => db.catalog(),
        perfmet: () => db.perfmet(),
        lock: () => createSqlRunLock({ client: db.client, schema, release: KEEP_OPEN }),
        journal: () => createSqlJournal({ client: db.client, schema, release: KEEP_OPEN }),
        close: () => db.close(),
      }
    }
    case 'postgrest': {
      const common = {
        url: requireUrl(kind, target, debug),
        schema,
        token: target.token?.reveal(),
        ...(logger ? { logger } : {}),
      }
      return {
        catalog: () => createPostgrestCatalog(common),
        perfmet: () => createPostgrestPerfmet(common),
        lock: () => createPostgrestRunLock(common),
        journal: () => createPostgrestJournal(common),
        close: NOTHING_TO_CLOSE,
      }
    }
    default:
      return assertNever(kind, 'catalog kind')
  }
}
