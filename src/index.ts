/**
 * catalog-etl: catalog-driven, incremental ETL.
 *
 * The public API: the app base class and its context, the contracts and facades, the compare loop and providers,
 * settings and driver factories, errors, and the apps with their `main(args)` functions.
 */
export {
  DATA_SOURCE_CODES,
  DATA_SOURCES,
  type DataSourceCode,
  type DataSourceInfo,
} from './config/data-sources.js'
export { createDriverSet, type DriverSet, type DriverSetOptions } from './config/factories.js'
export { ENV_SETTINGS, type LoadSettingsOptions, loadSettings } from './config/load.js'
export { DEFAULT_REPOSITORIES, PURPOSES, type Purpose } from './config/repositories.js'
export type { Settings, SettingsInput } from './config/schema.js'
export { Secret } from './config/secret.js'
export { parseSettings } from './config/validate.js'
export { createMemoryCatalog } from './drivers/catalog/memory.js'
export { createKnackClient } from './drivers/knack/client.js'
export { createPostgrestCatalog } from './drivers/postgrest/catalog.js'
export { createPostgrestPerfmet } from './drivers/postgrest/perfmet.js'
export { createCsvPublisher } from './drivers/publisher/csv.js'
export { createSocrataPublisher } from './drivers/publisher/socrata.js'
export { migrateDatabase } from './drivers/sql/migrate.js'
export { createPgliteDatabase } from './drivers/sql/pglite-database.js'
export { createPostgresDatabase } from './drivers/sql/postgres-database.js'
export { createLocalStorage } from './drivers/storage/local-fs.js'
export { createMemoryStorage } from './drivers/storage/memory.js'
export { createS3Storage } from './drivers/storage/s3.js'
export { createJsonFileUnitData } from './drivers/unit-data/json-file.js'
export { createKnackUnitData } from './drivers/unit-data/knack.js'
export { BtExtractSocApp, main as btExtractSoc } from './entries/bt-extract-soc.js'
export { BtInsertLakeApp, main as btInsertLake } from './entries/bt-insert-lake.js'
export { BtJsonStandardApp, main as btJsonStandard } from './entries/bt-json-standard.js'
export { BtReadyApp, main as btReady } from './entries/bt-ready.js'
export { type CliIo, type ExitCode, runCli } from './entries/cli.js'
export { GsAggExtractSocApp, main as gsAggExtractSoc } from './entries/gs-agg-extract-soc.js'
export { GsInsertLakeApp, main as gsInsertLake } from './entries/gs-insert-lake.js'
export { GsJsonStandardApp, main as gsJsonStandard } from './entries/gs-json-standard.js'
export { GsReadyApp, main as gsReady } from './entries/gs-ready.js'
export { GsReadyAggApp, main as gsReadyAgg } from './entries/gs-ready-agg.js'
export { runPerfmetKnack } from './entries/perfmet-knack.js'
export { APPS, findApp } from './entries/registry.js'
export { main as wtExtractSoc, WtExtractSocApp } from './entries/wt-extract-soc.js'
export { main as wtInsertLake, WtInsertLakeApp } from './entries/wt-insert-lake.js'
export { main as wtJsonStandard, WtJsonStandardApp } from './entries/wt-json-standard.js'
export { main as wtReady, WtReadyApp } from './entries/wt-ready.js'
export { type CommonArgs, type ParsedArgs, type RunWindow, readArg } from './support/app-args.js'
export type { AppDefinition, AppOptionSpec } from './support/app-definition.js'
export { Catalog } from './support/catalog.js'
export type { CatalogDriver, CatalogEntry, CatalogFilter, CatalogQuery } from './support/catalog-driver.js'
export { compareItems, sameDayCutoff } from './support/compare.js'
export type { AppContext } from './support/context.js'
export * from './support/errors.js'
export { type AppRuntime, EtlApp, type ItemFailure, type RunResult } from './support/etl-app.js'
export type { ItemProvider, KeyMode, ProviderItem, ProviderWindow, WorkItem } from './support/items.js'
export { createLogger, type Logger } from './support/logger.js'
export { PerfMet } from './support/perfmet.js'
export type { PerfmetDriver, PerfmetJob, PerfmetObservation } from './support/perfmet-driver.js'
export { createCatalogProvider, createStorageCatalogProvider } from './support/providers/catalog-provider.js'
export { createDateListProvider } from './support/providers/date-list-provider.js'
export { createFileProvider } from './support/providers/file-provider.js'
export { mapProvider } from './support/providers/map-provider.js'
export { Publisher } from './support/publisher.js'
export type { PublisherDriver, PublishRow } from './support/publisher-driver.js'
export type { ItemOutcome, RunEndInfo, RunObserver, RunStartInfo } from './support/run-observer.js'
export { Storage } from './support/storage.js'
export type { ObjectInfo, StorageDriver } from './support/storage-driver.js'
export { type UnitDataDocument, type UnitDataSource, UnitDataStore } from './support/unit-data.js'
export { type Clock, fixedClock, formatPyTs, parseTimestamp, systemClock } from './util/dates.js'

import { findApp } from './entries/registry.js'
import { ArgumentError } from './support/errors.js'
import type { AppRuntime, RunResult } from './support/etl-app.js'

/**
 * Runs an app by name with plain-object arguments, as the original's `main(args)` was meant to:
 * `await main('bt-json-standard', { start_date: 7 })`.
 */
export async function main(
  app: string,
  args: Record<string, unknown>,
  runtime?: AppRuntime,
): Promise<RunResult> {
  const App = findApp(app)
  if (!App) throw new ArgumentError(`Unknown app "${app}".`)
  return new App(args, runtime).run()
}
