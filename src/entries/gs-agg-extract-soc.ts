import { readArg } from '../support/app-args.js'
import type { AppDefinition } from '../support/app-definition.js'
import type { CatalogEntry } from '../support/catalog-driver.js'
import type { AppContext } from '../support/context.js'
import { ArgumentError, InputError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { recordPublished } from '../support/published.js'
import type { Publisher } from '../support/publisher.js'
import { GS_PUBLISH_VARIANT, type GsAggInputRow, type GsPublishNote, gsPublishRow } from './gs/publish-row.js'
import { AGG_OPTION, aggExt, aggMinutes, DEFAULT_AGG_MINUTES } from './gs-ready-agg.js'

/** Custom arguments of `gs-agg-extract-soc`. */
export interface GsAggExtractSocArgs {
  /** `-a`: which `agg<N>.json` to publish. @default 15 */
  readonly agg?: number
  /** `-u`: leave out `Unassigned` approaches. @default false */
  readonly no_unassigned?: boolean
}

const NOTE_TEXT: Readonly<Record<GsPublishNote, string>> = {
  unassigned: 'row(s) with approach Unassigned published as UNASSIGNED',
  'unassigned-skipped': 'row(s) with approach Unassigned left out (-u)',
  'unknown-direction': 'row(s) with an unknown approach left out',
  'unknown-movement': 'row(s) with an unknown turn published with the turn code as movement',
}

/**
 * `gs_agg_extract_soc.py` (spec §9.13): publishes every ready `agg<N>.json` document of an intersection with a
 * matched device to the GRIDSMART dataset (`sh59-i6y9`) with its `record_id`, then records the day in the catalog's
 * `socrata` repository. Documents without device information are skipped (and retried on later runs).
 */
export class GsAggExtractSocApp extends EtlApp<GsAggExtractSocArgs> {
  static readonly definition: AppDefinition = {
    name: 'gs-agg-extract-soc',
    original: 'gs_agg_extract_soc.py',
    description: 'GRIDSMART publish: aggregated counts to the Traffic Counts by Movement dataset',
    dataSource: 'gs',
    purposeSrc: 'ready',
    perfmetStage: 'Publish',
    needsTempDir: false,
    options: [
      AGG_OPTION,
      {
        name: 'no_unassigned',
        short: 'u',
        type: 'boolean',
        default: false,
        describe: 'leave out Unassigned approaches',
      },
    ],
  }
  readonly definition = GsAggExtractSocApp.definition
  protected readonly keyMode: KeyMode = 'base'
  #publisher: Publisher | null = null
  #minutes = DEFAULT_AGG_MINUTES
  #noUnassigned = false

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    this.#minutes = aggMinutes(ctx.custom)
    const u = readArg(ctx.custom, 'no_unassigned') ?? false
    if (typeof u !== 'boolean')
      throw new ArgumentError(`--no_unassigned is a flag (got ${JSON.stringify(u)}).`)
    this.#noUnassigned = u
    this.#publisher = ctx.publisher(GS_PUBLISH_VARIANT)
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'gs',
      ext: aggExt(aggMinutes(ctx.custom)),
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('public'),
      dataSource: 'gs',
      ext: aggExt(aggMinutes(ctx.custom)),
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const publisher = this.#publisher
    if (!src || !publisher) return 0
    const { date } = item.identifier
    const pointer = (item.provItem.payload as CatalogEntry).pointer
    const log = ctx.logger.child({ item: pointer })
    const doc = (await src.retrieveJson(pointer)) as {
      data?: GsAggInputRow[]
      device?: unknown
    } | null
    if (!doc || !Array.isArray(doc.data)) throw new InputError(`${pointer} has no "data" array.`)
    const device = doc.device
    if (!device || typeof device !== 'object' || Array.isArray(device) || Object.keys(device).length === 0) {
      log.warn(`${pointer} has no device information. Skipping.`)
      return 0
    }
    log.info({ to: publisher.identifier }, `${pointer}: ${src.repository} -> ${publisher.identifier}`)
    const counts = new Map<GsPublishNote, number>()
    const options = { binDurationSec: this.#minutes * 60, noUnassigned: this.#noUnassigned }
    for (const row of doc.data) {
      const { row: record, notes } = gsPublishRow(row, device as Record<string, unknown>, options)
      for (const note of notes) counts.set(note, (counts.get(note) ?? 0) + 1)
      if (record) await publisher.addRow(record)
    }
    await publisher.flush()
    publisher.reset()
    await recordPublished(ctx, publisher, item.identifier)
    for (const [note, n] of counts) log.warn(`${n} ${NOTE_TEXT[note]}`)
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `gs-agg-extract-soc` with plain-object arguments (`{ start_date: 3, agg: 15, no_unassigned: true }`). */
export function main(
  args: Record<string, unknown> & GsAggExtractSocArgs,
  runtime?: AppRuntime,
): Promise<RunResult> {
  return new GsAggExtractSocApp(args, runtime).run()
}
