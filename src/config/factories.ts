import { join } from 'node:path'
import { createKitsSourceFor } from '../drivers/devices/kits/factory.js'
import type { KitsSource } from '../drivers/devices/kits/types.js'
import { createCsvPublisher } from '../drivers/publisher/csv.js'
import { createSocrataPublisher } from '../drivers/publisher/socrata.js'
import { createLocalStorage, LOCAL_UPLOADS_DIR } from '../drivers/storage/local-fs.js'
import { createMemoryStorage } from '../drivers/storage/memory.js'
import { createS3Storage } from '../drivers/storage/s3.js'
import { createJsonFileUnitData } from '../drivers/unit-data/json-file.js'
import { createKnackUnitData } from '../drivers/unit-data/knack.js'
import type { CatalogDriver } from '../support/catalog-driver.js'
import { assertNever, ConfigError } from '../support/errors.js'
import type { Logger } from '../support/logger.js'
import type { PerfmetDriver } from '../support/perfmet-driver.js'
import type { PublisherDriver } from '../support/publisher-driver.js'
import type { RunJournal } from '../support/run-journal.js'
import type { RunLock } from '../support/run-lock.js'
import type { StorageDriver } from '../support/storage-driver.js'
import type { UnitDataSource } from '../support/unit-data.js'
import { type CatalogBackend, createCatalogBackend } from './catalog-backend.js'
import { type DataSourceCode, isDataSourceCode } from './data-sources.js'
import { DATASET_IDS } from './datasets.js'
import type { Settings, StorageKind } from './schema.js'

/**
 * Builds every driver an app needs, lazily and once each (the original's `config.create*` functions as one
 * bundle of factories). Closing the set closes every driver it built.
 */
export interface DriverSet {
  /** Whether the set targets the debug repositories, catalog and publishing (`--debug`). */
  readonly debug: boolean
  /** Storage of one repository (bucket). */
  storage(repository: string): StorageDriver
  /** The catalog of this run's target (production, or the separate debug target). */
  catalog(): CatalogDriver
  /** Where perfmet rows go, or `null` when perfmet is off. */
  perfmet(): PerfmetDriver | null
  /** Fresh unit data (Knack, or the local JSON files). */
  unitData(): UnitDataSource
  /** The publisher of one data source and variant (`default` for wt/gs). */
  publisher(dataSource: string, variant: string): PublisherDriver
  /** The overlap lock of runs, kept beside the catalog of this run's target. */
  lock(): RunLock
  /** The run journal (runs and per-item outcomes), kept beside the catalog of this run's target. */
  journal(): RunJournal
  /** The KITS source of `wt-insert-lake` (Wavetronix detector history). */
  kits(): KitsSource
  /** A CSV publisher writing `<dir>/<identifier>.csv`: the `-o` local copy of published rows. */
  localCopy(dir: string, identifier: string): PublisherDriver
  /** The dataset id a data source and variant publish to. */
  datasetId(dataSource: string, variant: string): string
  /** Closes every driver built so far; idempotent. */
  close(): Promise<void>
}

/** Options of {@link createDriverSet}. */
export interface DriverSetOptions {
  /** `--debug`: `-test` repositories and the debug catalog, perfmet and publishing targets. */
  readonly debug: boolean
  /** Logger for drivers that log their retries. */
  readonly logger?: Logger
}

type Closable = { close(): Promise<void> }

/** Creates the {@link DriverSet} for validated settings. */
export function createDriverSet(settings: Settings, options: DriverSetOptions): DriverSet {
  const built = new Map<string, Closable>()
  let backend: CatalogBackend | null = null

  function once<T extends Closable>(key: string, make: () => T): T {
    let driver = built.get(key) as T | undefined
    if (!driver) {
      driver = make()
      built.set(key, driver)
    }
    return driver
  }

  function catalogBackend(): CatalogBackend {
    backend ??= createCatalogBackend(settings, options.debug, options.logger)
    return backend
  }

  const storageFactories: Record<StorageKind, (repository: string) => StorageDriver> = {
    local: (repository) =>
      createLocalStorage({
        root: join(settings.lakeDir, repository),
        tempDir: join(settings.lakeDir, LOCAL_UPLOADS_DIR),
      }),
    memory: () => createMemoryStorage(),
    s3: (repository) => {
      const s3 = settings.storage.s3
      return createS3Storage({
        bucket: repository,
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        maxAttempts: s3.maxAttempts,
        ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
        ...(s3.credentials
          ? {
              credentials: {
                accessKeyId: s3.credentials.accessKeyId.reveal(),
                secretAccessKey: s3.credentials.secretAccessKey.reveal(),
                ...(s3.credentials.sessionToken
                  ? { sessionToken: s3.credentials.sessionToken.reveal() }
                  : {}),
              },
            }
          : {}),
      })
    },
  }

  function makePublisher(identifier: string): PublisherDriver {
    const kind = settings.publisher.kind
    switch (kind) {
      case 'csv': {
        const dir = options.debug ? join(settings.publisher.dir, 'debug') : settings.publisher.dir
        return createCsvPublisher({ dir, identifier, mode: 'append' })
      }
      case 'socrata': {
        const socrata = settings.publisher.socrata
        const host = options.debug ? socrata.debugHost : socrata.host
        if (!host) {
          throw new ConfigError(
            '--debug needs its own Socrata portal so that it can never publish to production: set publisher.socrata.debugHost (CATALOG_ETL_DEBUG_SOCRATA_HOST).',
          )
        }
        return createSocrataPublisher({
          host,
          datasetId: identifier,
          protocol: socrata.protocol,
          chunkSize: socrata.chunkSize,
          username: socrata.username?.reveal(),
          password: socrata.password?.reveal(),
          appToken: socrata.appToken?.reveal(),
          ...(options.logger ? { logger: options.logger } : {}),
        })
      }
      default:
        return assertNever(kind, 'publisher kind')
    }
  }

  function makeKits(): KitsSource {
    const kits = settings.devices.kits
    switch (kits.kind) {
      case 'pglite':
        if (!kits.dataDir) throw new ConfigError('devices.kits.kind "pglite" needs devices.kits.dataDir.')
        return createKitsSourceFor({ kind: 'pglite', dataDir: kits.dataDir }, options.logger)
      case 'pg':
        if (!kits.url)
          throw new ConfigError('devices.kits.kind "pg" needs devices.kits.url (CATALOG_ETL_KITS_URL).')
        return createKitsSourceFor({ kind: 'pg', url: kits.url }, options.logger)
      case 'mssql':
        if (!kits.server || !kits.user || !kits.password) {
          throw new ConfigError(
            'devices.kits.kind "mssql" needs CATALOG_ETL_KITS_SERVER, CATALOG_ETL_KITS_USER and CATALOG_ETL_KITS_PASSWORD.',
          )
        }
        return createKitsSourceFor(
          {
            kind: 'mssql',
            config: {
              server: kits.server,
              port: kits.port,
              database: kits.database,
              user: kits.user,
              password: kits.password.reveal(),
              options: { encrypt: true, trustServerCertificate: kits.trustServerCertificate },
            },
          },
          options.logger,
        )
      default:
        return assertNever(kits.kind, 'KITS kind')
    }
  }

  function datasetId(dataSource: string, variant: string): string {
    const ids = isDataSourceCode(dataSource) ? DATASET_IDS[dataSource as DataSourceCode] : undefined
    if (!ids) throw new ConfigError(`No datasets for data source "${dataSource}"; valid: bt, wt, gs.`)
    const id = ids[variant]
    if (!id) {
      throw new ConfigError(
        `Unknown publishing variant "${variant}" for "${dataSource}"; valid: ${Object.keys(ids).join(', ')}.`,
      )
    }
    return id
  }

  return {
    debug: options.debug,
    storage: (repository) =>
      once(`storage:${repository}`, () => storageFactories[settings.storage.kind](repository)),
    catalog: () => once('catalog', () => catalogBackend().catalog()),
    perfmet() {
      if (settings.perfmet.kind === 'none') return null
      const driver = built.get('perfmet') as PerfmetDriver | undefined
      if (driver) return driver
      const made = catalogBackend().perfmet()
      if (made) built.set('perfmet', made)
      return made
    },
    unitData: () =>
      once('unit-data', () => {
        if (settings.unitData.kind === 'json-file')
          return createJsonFileUnitData({ dir: settings.unitData.dir })
        const knack = settings.knack
        if (!knack.appId || !knack.apiKey) {
          throw new ConfigError(
            'unitData.kind "knack" needs knack.appId (CATALOG_ETL_KNACK_APP_ID) and the API key (CATALOG_ETL_KNACK_API_KEY).',
          )
        }
        return createKnackUnitData({
          clientOptions: {
            baseUrl: knack.baseUrl,
            appId: knack.appId,
            apiKey: knack.apiKey?.reveal(),
            maxRequestsPerSecond: knack.maxRequestsPerSecond,
            ...(options.logger ? { logger: options.logger } : {}),
          },
        })
      }),
    publisher(dataSource, variant) {
      const identifier = datasetId(dataSource, variant)
      return once(`publisher:${identifier}`, () => makePublisher(identifier))
    },
    kits: () => once('kits', () => makeKits()),
    lock: () => once('lock', () => catalogBackend().lock()),
    journal: () => once('journal', () => catalogBackend().journal()),
    localCopy: (dir, identifier) =>
      once(`copy:${dir}:${identifier}`, () => createCsvPublisher({ dir, identifier })),
    datasetId,
    async close() {
      const drivers = [...built.values()].reverse()
      built.clear()
      const errors: unknown[] = []
      for (const driver of drivers) await driver.close().catch((error: unknown) => errors.push(error))
      if (backend) await backend.close().catch((error: unknown) => errors.push(error))
      backend = null
      if (errors.length > 0) throw new AggregateError(errors, 'Closing drivers failed')
    },
  }
}
