import { createMemoryCatalog } from '../drivers/catalog/memory.js'
import { createPostgrestCatalog } from '../drivers/postgrest/catalog.js'
import { createPostgrestPerfmet } from '../drivers/postgrest/perfmet.js'
import { createPgliteDatabase } from '../drivers/sql/pglite-database.js'
import { createPostgresDatabase } from '../drivers/sql/postgres-database.js'
import type { CatalogDriver } from '../support/catalog-driver.js'
import { assertNever, ConfigError } from '../support/errors.js'
import type { Logger } from '../support/logger.js'
import type { PerfmetDriver } from '../support/perfmet-driver.js'
import type { CatalogKind, CatalogTarget, Settings } from './schema.js'

/** The database (or API) that holds the catalog and the perfmet tables of one target. */
export interface CatalogBackend {
  catalog(): CatalogDriver
  /** `null` when the backend has no perfmet tables (the memory catalog). */
  perfmet(): PerfmetDriver | null
  close(): Promise<void>
}

const NOTHING_TO_CLOSE = async () => {}

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
    case 'memory':
      return { catalog: () => createMemoryCatalog(), perfmet: () => null, close: NOTHING_TO_CLOSE }
    case 'pglite': {
      const db = createPgliteDatabase({ dataDir: target.dataDir ?? undefined })
      return { catalog: () => db.catalog(), perfmet: () => db.perfmet(), close: () => db.close() }
    }
    case 'postgres': {
      const db = createPostgresDatabase({ url: requireUrl(kind, target, debug), schema })
      return { catalog: () => db.catalog(), perfmet: () => db.perfmet(), close: () => db.close() }
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
        close: NOTHING_TO_CLOSE,
      }
    }
    default:
      return assertNever(kind, 'catalog kind')
  }
}
