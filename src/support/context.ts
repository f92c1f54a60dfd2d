import type { DataSourceInfo } from '../config/data-sources.js'
import type { DriverSet } from '../config/factories.js'
import type { Purpose } from '../config/repositories.js'
import type { Settings } from '../config/schema.js'
import type { Clock } from '../util/dates.js'
import type { ParsedArgs } from './app-args.js'
import type { Catalog } from './catalog.js'
import type { Logger } from './logger.js'
import type { PerfMet } from './perfmet.js'
import type { Publisher } from './publisher.js'
import type { Storage } from './storage.js'

/** Everything one app run works with; built by `EtlApp.run()`, closed in its `finally`. */
export interface AppContext {
  /** Validated, frozen settings. */
  readonly settings: Settings
  /** The driver factories of this run (debug-aware). */
  readonly drivers: DriverSet
  /** The app's logger (a child with `app` and `ds` bindings). */
  readonly logger: Logger
  /** The injected clock (`now()` in America/Chicago). */
  readonly clock: Clock
  /** The run's temp directory (removed afterwards), or `null` when the app needs none. */
  readonly tempDir: string | null
  /** Aborted when the run is cancelled. */
  readonly signal: AbortSignal
  /** The app's data source. */
  readonly dataSource: DataSourceInfo
  /** The parsed common arguments (window, force, simulate, debug, output path). */
  readonly args: ParsedArgs
  /** The app's custom arguments, as given. */
  readonly custom: Readonly<Record<string, unknown>>
  /** The catalog facade, scoped to the data source. */
  readonly catalog: Catalog
  /** Source storage (when the app has a source purpose). */
  readonly storageSrc: Storage | null
  /** Target storage (when the app has a target purpose). */
  readonly storageTgt: Storage | null
  /** Performance metrics (when the app has a perfmet stage and perfmet is on). */
  readonly perfmet: PerfMet | null
  /** The repository name of a purpose in this run's mode. */
  repository(purpose: Purpose): string
  /** A storage facade for another purpose, sharing the catalog and the run's flags. */
  storage(purpose: Purpose): Storage
  /** A publisher for a variant of the app's data source (closed with the run). */
  publisher(variant: string): Publisher
}
