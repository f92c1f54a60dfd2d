import { readArg } from '../support/app-args.js'
import type { AppDefinition, AppOptionSpec } from '../support/app-definition.js'
import type { CatalogEntry } from '../support/catalog-driver.js'
import type { AppContext } from '../support/context.js'
import { ArgumentError, InputError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { formatPyTs } from '../util/dates.js'
import { aggregateCounts } from './gs/aggregate.js'
import type { GsCountsDocument } from './gs/ready-day.js'
import { GS_COUNTS_EXT } from './gs-ready.js'

/** Default aggregation interval, minutes. */
export const DEFAULT_AGG_MINUTES = 15

/** The `-a/--agg` option shared by gs-ready-agg and gs-agg-extract-soc. */
export const AGG_OPTION: AppOptionSpec = {
  name: 'agg',
  short: 'a',
  type: 'number',
  default: DEFAULT_AGG_MINUTES,
  describe: 'aggregation interval in minutes (ext agg<N>.json)',
}

/** Ext of the aggregates for an interval: `agg<N>.json`. */
export function aggExt(minutes: number): string {
  return `agg${minutes}.json`
}

/** Reads `-a/--agg`: a whole number of minutes from 1 to 1440. */
export function aggMinutes(custom: Readonly<Record<string, unknown>>): number {
  const raw = readArg(custom, 'agg') ?? DEFAULT_AGG_MINUTES
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1440) {
    throw new ArgumentError(
      `--agg must be a whole number of minutes from 1 to 1440 (got ${JSON.stringify(raw)}).`,
    )
  }
  return n
}

/** Custom arguments of `gs-ready-agg`. */
export interface GsReadyAggArgs {
  /** `-a`: minutes per bin. @default 15 */
  readonly agg?: number
}

/**
 * `gs_ready_agg.py` (spec §9.12): aggregates every ready counts document into N-minute bins by approach, turn and
 * heavy-vehicle flag and writes `(base, "agg<N>.json", day)` to the ready repository. The target listing is limited
 * to `agg<N>.json`, so with the base key a day's counts document is processed once per interval.
 */
export class GsReadyAggApp extends EtlApp<GsReadyAggArgs> {
  static readonly definition: AppDefinition = {
    name: 'gs-ready-agg',
    original: 'gs_ready_agg.py',
    description:
      'GRIDSMART aggregation: counts documents into N-minute bins per approach, turn and vehicle class',
    dataSource: 'gs',
    purposeSrc: 'ready',
    purposeTgt: 'ready',
    perfmetStage: 'Aggregate',
    needsTempDir: false,
    concurrentItems: true,
    options: [AGG_OPTION],
  }
  readonly definition = GsReadyAggApp.definition
  protected readonly keyMode: KeyMode = 'base'
  #minutes = DEFAULT_AGG_MINUTES

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    this.#minutes = aggMinutes(ctx.custom)
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'gs',
      ext: GS_COUNTS_EXT,
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'gs',
      ext: aggExt(aggMinutes(ctx.custom)),
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const tgt = ctx.storageTgt
    if (!src || !tgt) return 0
    const { base, date } = item.identifier
    const pointer = (item.provItem.payload as CatalogEntry).pointer
    const doc = (await src.retrieveJson(pointer)) as GsCountsDocument | null
    if (!doc || typeof doc.header !== 'object' || !Array.isArray(doc.counts)) {
      throw new InputError(`${pointer} is not a {header, counts} document.`)
    }
    const result = aggregateCounts(doc.counts, doc.site, this.#minutes)
    const log = ctx.logger.child({ item: pointer })
    if (result.unknownZone > 0)
      log.warn(`${result.unknownZone} row(s) of zones missing from the site file dropped`)
    if (result.nullKey > 0) log.warn(`${result.nullKey} row(s) without time, approach or turn dropped`)
    if (result.missingLength > 0)
      log.warn(`${result.missingLength} row(s) without vehicle_length classed heavy`)
    const now = ctx.clock.now()
    const header = { ...doc.header, processing_date: formatPyTs(now), agg_interval_sec: this.#minutes * 60 }
    const out = { header, data: result.rows, site: doc.site, device: doc.device }
    const entry = tgt.createCatalogEntry(base, aggExt(this.#minutes), date, { processingDate: now })
    await tgt.writeJson(out, entry, { stage: true })
    log.info({ rows: result.rows.length }, `${entry.pointer} written`)
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `gs-ready-agg` with plain-object arguments (`{ start_date: 3, agg: 5 }`). */
export function main(
  args: Record<string, unknown> & GsReadyAggArgs,
  runtime?: AppRuntime,
): Promise<RunResult> {
  return new GsReadyAggApp(args, runtime).run()
}
