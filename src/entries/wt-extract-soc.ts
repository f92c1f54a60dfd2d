import { readArg } from '../support/app-args.js'
import type { AppDefinition } from '../support/app-definition.js'
import type { AppContext } from '../support/context.js'
import { ArgumentError, InputError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { recordPublished } from '../support/published.js'
import type { Publisher } from '../support/publisher.js'
import type { WtDocument } from './wt/ready.js'
import { wtSocrataRow } from './wt/socrata-row.js'
import { WT_JSON_EXT } from './wt-json-standard.js'

/** Publishing variant of the Wavetronix dataset (Radar Traffic Counts, `i626-g7ub`). */
export const WT_PUBLISH_VARIANT = 'default'

/** Custom arguments of `wt-extract-soc`. */
export interface WtExtractSocArgs {
  /** Write `timebin` as the original did, `HH:60` included (spec §10.21). @default false */
  readonly legacy_timebin?: boolean
}

/**
 * `wt_extract_soc.py` (spec §9.8; the original's class was misnamed `GSAggPublishApp`): publishes every ready
 * Wavetronix document's rows to Radar Traffic Counts and records the day in the catalog's `socrata` repository.
 */
export class WtExtractSocApp extends EtlApp<WtExtractSocArgs> {
  static readonly definition: AppDefinition = {
    name: 'wt-extract-soc',
    original: 'wt_extract_soc.py',
    description: 'Wavetronix publish: ready documents to the Radar Traffic Counts dataset',
    dataSource: 'wt',
    purposeSrc: 'ready',
    perfmetStage: 'Publish',
    needsTempDir: false,
    options: [
      {
        name: 'legacy_timebin',
        type: 'boolean',
        default: false,
        describe: 'write timebin exactly as the original (HH:60 for minutes 53-59)',
      },
    ],
  }
  readonly definition = WtExtractSocApp.definition
  protected readonly keyMode: KeyMode = 'base+ext'
  #publisher: Publisher | null = null
  #legacyTimebin = false

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    const legacy = readArg(ctx.custom, 'legacy_timebin') ?? false
    if (typeof legacy !== 'boolean') {
      throw new ArgumentError(`--legacy_timebin is a flag (got ${JSON.stringify(legacy)}).`)
    }
    this.#legacyTimebin = legacy
    this.#publisher = ctx.publisher(WT_PUBLISH_VARIANT)
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'wt',
      ext: WT_JSON_EXT,
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('public'),
      dataSource: 'wt',
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const publisher = this.#publisher
    if (!src || !publisher) return 0
    const { date } = item.identifier
    const pointer = (item.provItem.payload as { pointer: string }).pointer
    ctx.logger.info(
      { item: pointer, from: src.repository, to: publisher.identifier },
      `${pointer}: ${src.repository} -> ${publisher.identifier}`,
    )
    const document = (await src.retrieveJson(pointer)) as WtDocument | null
    if (!document || !Array.isArray(document.data)) throw new InputError(`${pointer} has no "data" array.`)
    const ids = new Set<string>()
    for (const row of document.data) {
      const published = wtSocrataRow(row, { legacyTimebin: this.#legacyTimebin })
      ids.add(published.row_id as string)
      await publisher.addRow(published)
    }
    await publisher.flush()
    publisher.reset()
    const repeated = document.data.length - ids.size
    if (repeated > 0) {
      ctx.logger.warn(
        { item: pointer, rows: document.data.length, distinct: ids.size },
        `${pointer}: ${repeated} row(s) repeat the row_id of an earlier row (repeated DST hour or two radars ` +
          'with one kits_id); the dataset keeps only the last of each',
      )
    }
    await recordPublished(ctx, publisher, item.identifier)
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `wt-extract-soc` with plain-object arguments (`{ start_date: 30 }`). */
export function main(
  args: Record<string, unknown> & WtExtractSocArgs,
  runtime?: AppRuntime,
): Promise<RunResult> {
  return new WtExtractSocApp(args, runtime).run()
}
