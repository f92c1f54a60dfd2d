import { basename } from 'node:path'
import type { AppDefinition } from '../support/app-definition.js'
import type { AppContext } from '../support/context.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { RunUnitDataSnapshot } from '../support/unit-data-snapshot.js'
import { formatPyTs } from '../util/dates.js'
import { parseWtTime, standardizeWtCsv } from './wt/standardize.js'

/** Perfmet observation type of the Wavetronix standardize stage. */
export const WT_OBSERVATION_TYPE = 'Vehicle Counts'
/** Identifier ext of the Wavetronix rawjson and ready documents. */
export const WT_JSON_EXT = 'json'
/** Skipped rows listed in full in the warning of one file; the rest are counted. */
const SHOWN_SKIPS = 5

/**
 * `wt_json_standard.py` (spec §9.6): converts each raw Wavetronix CSV to the rawjson document (typed integers,
 * PyTS times), stores the run's radar unit data once, and records one `Vehicle Counts` observation per intersection.
 */
export class WtJsonStandardApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'wt-json-standard',
    original: 'wt_json_standard.py',
    description:
      'Wavetronix standardize: raw CSV files to rawjson JSON documents, plus the unit-data snapshot',
    dataSource: 'wt',
    purposeSrc: 'raw',
    purposeTgt: 'standardized',
    perfmetStage: 'Standardize',
    needsTempDir: false,
    concurrentItems: true,
    options: [],
  }
  readonly definition = WtJsonStandardApp.definition
  protected readonly keyMode: KeyMode = 'base'
  readonly #unitData = new RunUnitDataSnapshot()

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    await this.#unitData.capture(ctx)
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('raw'),
      dataSource: 'wt',
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('standardized'),
      dataSource: 'wt',
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const tgt = ctx.storageTgt
    if (!src || !tgt) return 0
    const { base, date } = item.identifier
    await this.#unitData.storeOnce(ctx)
    const pointer = (item.provItem.payload as { pointer: string }).pointer
    ctx.logger.info(
      { item: pointer, from: src.repository, to: tgt.repository },
      `${pointer}: ${src.repository} -> ${tgt.repository}`,
    )
    const now = ctx.clock.now()
    const text = (await src.retrieveBuffer(pointer)).toString('utf8')
    const result = standardizeWtCsv(text, {
      origin_filename: basename(pointer),
      target_filename: tgt.makeFilename(base, WT_JSON_EXT, date),
      collection_date: formatPyTs(date),
      processing_date: formatPyTs(now),
    })
    if (result.skipped.length > 0) {
      const shown = result.skipped.slice(0, SHOWN_SKIPS).map((s) => `line ${s.line}: ${s.reason}`)
      const more =
        result.skipped.length > SHOWN_SKIPS ? `; and ${result.skipped.length - SHOWN_SKIPS} more` : ''
      ctx.logger.warn(
        { item: pointer, skipped: result.skipped.length, kept: result.document.data.length },
        `${pointer}: left out ${result.skipped.length} row(s) that do not convert (${shown.join('; ')}${more})`,
      )
    }
    const entry = tgt.createCatalogEntry(base, WT_JSON_EXT, date, { processingDate: now })
    await tgt.writeJson(result.document, entry, { stage: true })
    ctx.perfmet?.recordCollect(date, true)
    if (ctx.perfmet) {
      for (const count of result.counts) {
        ctx.perfmet.recordSensorObs(count.sensorName, WT_OBSERVATION_TYPE, {
          observation: count.volume,
          collectionDate: date,
          minTimestamp: parseWtTime(count.min),
          maxTimestamp: parseWtTime(count.max),
        })
      }
      await ctx.perfmet.writeSensorObs()
    }
    return 1
  }
}

/** Runs `wt-json-standard` with plain-object arguments (`{ start_date: 30 }`). */
export function main(args: Record<string, unknown>, runtime?: AppRuntime): Promise<RunResult> {
  return new WtJsonStandardApp(args, runtime).run()
}
