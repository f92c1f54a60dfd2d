import type { DataSourceCode } from '../config/data-sources.js'
import type { Purpose } from '../config/repositories.js'

/** A custom command-line option of one app (spec §2.2, "Custom options per script"). */
export interface AppOptionSpec {
  /** Original long name (`sourcedir`, `name_filter`, …); a kebab-case alias is added automatically. */
  readonly name: string
  /** One-letter alias (`d`, `f`, …). */
  readonly short?: string
  readonly type: 'string' | 'boolean' | 'number'
  /** Default value. */
  readonly default?: string | number | boolean
  /** Help text. */
  readonly describe: string
}

/** The fixed description of an app: what the original passed to the `ETLApp` constructor (spec §2.1). */
export interface AppDefinition {
  /** Command name (`bt-insert-lake`). */
  readonly name: string
  /** The original script (`bt_insert_lake.py`), for help and logs. */
  readonly original: string
  /** Help text. */
  readonly description: string
  readonly dataSource: DataSourceCode
  /** Purpose of the source storage, if any. */
  readonly purposeSrc?: Purpose
  /** Purpose of the target storage, if any. */
  readonly purposeTgt?: Purpose
  /** Perfmet stage label (`Ingest`, `Standardize`, …). */
  readonly perfmetStage?: string
  /** Whether the run gets a temp directory. */
  readonly needsTempDir: boolean
  /** Custom options. */
  readonly options: readonly AppOptionSpec[]
  /**
   * Whether `processItem` may run for several items at once (`--concurrency N`): the app keeps no state between
   * items that one item's order or completion matters to (publishers, day numbering). Apps without it process one
   * item at a time whatever `--concurrency` says. @default false
   */
  readonly concurrentItems?: boolean
}
