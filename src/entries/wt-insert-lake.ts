import type { DateTime } from 'luxon'
import type { KitsSource } from '../drivers/devices/kits/types.js'
import type { AppDefinition } from '../support/app-definition.js'
import type { AppContext } from '../support/context.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { createDateListProvider } from '../support/providers/date-list-provider.js'
import { formatWtRawCsv } from './wt/raw-csv.js'

/** Identifier ext of the Wavetronix raw files. */
export const WT_RAW_EXT = 'csv'

/** Where `wt-insert-lake` gets its KITS source (until the settings build one). */
export interface WtInsertLakeOptions {
  /** The KITS database to read (owned by the caller: the run does not close it). */
  readonly kits?: KitsSource
}

/**
 * `wt_insert_lake.py` (spec §9.5): for every day the KITS database has rows for and the raw catalog lacks, writes
 * the day's records as one CSV (`Austin_wt_<day>.csv`) into the raw repository, with an immediate catalog row.
 */
export class WtInsertLakeApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'wt-insert-lake',
    original: 'wt_insert_lake.py',
    description: 'Wavetronix ingest: one CSV per day from the KITS detector history into the raw repository',
    dataSource: 'wt',
    purposeTgt: 'raw',
    perfmetStage: 'Ingest',
    needsTempDir: false,
    concurrentItems: true,
    options: [],
  }
  readonly definition = WtInsertLakeApp.definition
  protected readonly keyMode: KeyMode = 'base'
  readonly #kits: KitsSource | undefined

  constructor(args: Record<string, unknown>, runtime?: AppRuntime, options: WtInsertLakeOptions = {}) {
    super(args, runtime)
    this.#kits = options.kits
  }

  /** The KITS source of this run. */
  #source(ctx: AppContext): KitsSource {
    return this.#kits ?? ctx.drivers.kits()
  }

  protected source(ctx: AppContext): ItemProvider {
    const kits = this.#source(ctx)
    return createDateListProvider({
      base: ctx.settings.unitLocation,
      ext: WT_RAW_EXT,
      listDates: async (window) => (await kits.listDates(window)).map((day) => day.date),
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('raw'),
      dataSource: ctx.dataSource.code,
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const storage = ctx.storageTgt
    if (!storage) return 0
    const { base, ext, date } = item.identifier
    const records = await this.#source(ctx).retrieve(item.provItem.payload as DateTime)
    ctx.logger.info(
      { item: item.label, to: storage.repository, records: records.length },
      `${item.label} -> ${storage.repository}`,
    )
    const entry = storage.createCatalogEntry(base, ext, date, { processingDate: ctx.clock.now() })
    await storage.writeBuffer(formatWtRawCsv(records), entry, { stage: true })
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `wt-insert-lake` with plain-object arguments (`{ start_date: 7 }`) on a KITS source. */
export function main(
  args: Record<string, unknown>,
  runtime?: AppRuntime,
  options?: WtInsertLakeOptions,
): Promise<RunResult> {
  return new WtInsertLakeApp(args, runtime, options).run()
}
