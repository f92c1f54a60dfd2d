import { basename } from 'node:path'
import type { AppDefinition } from '../support/app-definition.js'
import type { AppContext } from '../support/context.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { mapProvider } from '../support/providers/map-provider.js'
import { RunUnitDataSnapshot } from '../support/unit-data-snapshot.js'
import { formatPyTs, parseTimestamp } from '../util/dates.js'
import { AWAM_FORMATS, fileTypeOfExt } from './bt/awam-format.js'
import { standardizeAwam } from './bt/standardize-awam.js'

/** Perfmet observation type of the Bluetooth standardize stage. */
export const BT_OBSERVATION_TYPE = 'Unmatched Entries'

/**
 * `bt_json_standard.py`: converts each raw AWAM file to the canonical JSON document, stores the run's unit data
 * snapshot, and records one perfmet observation per reader for IAF files (spec §9.2).
 */
export class BtJsonStandardApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'bt-json-standard',
    original: 'bt_json_standard.py',
    description:
      'Bluetooth standardize: raw AWAM text files to rawjson JSON documents, plus the unit-data snapshot',
    dataSource: 'bt',
    purposeSrc: 'raw',
    purposeTgt: 'standardized',
    perfmetStage: 'Standardize',
    needsTempDir: true,
    concurrentItems: true,
    options: [],
  }
  readonly definition = BtJsonStandardApp.definition
  protected readonly keyMode: KeyMode = 'base+ext'
  readonly #unitData = new RunUnitDataSnapshot()

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    await this.#unitData.capture(ctx)
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('raw'),
      dataSource: 'bt',
    })
  }

  /**
   * The standardized files, each under the raw ext it came from (`matched.json` → `matched.txt`), so that every raw
   * file is matched on its own: a day's late file is still converted (the original's base-only key skipped it).
   */
  protected target(ctx: AppContext): ItemProvider {
    const standardized = createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('standardized'),
      dataSource: 'bt',
    })
    return mapProvider(standardized, (item) => {
      const fileType = fileTypeOfExt(item.ext, 'json')
      return fileType ? { ...item, ext: AWAM_FORMATS[fileType].rawExt } : null
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const tgt = ctx.storageTgt
    if (!src || !tgt) return 0
    const { base, ext, date } = item.identifier
    const fileType = fileTypeOfExt(ext)
    if (!fileType) {
      ctx.logger.warn({ item: item.label }, `Unsupported file type "${ext}": skipped`)
      return 0
    }
    await this.#unitData.storeOnce(ctx)
    const pointer = (item.provItem.payload as { pointer: string }).pointer
    ctx.logger.info(
      { item: pointer, from: src.repository, to: tgt.repository },
      `${pointer}: ${src.repository} -> ${tgt.repository}`,
    )
    const targetExt = `${fileType}.json`
    const now = ctx.clock.now()
    const entry = tgt.createCatalogEntry(base, targetExt, date, { processingDate: now })
    const input = await src.openRead(pointer)
    const converted = standardizeAwam(input, {
      fileType,
      header: {
        origin_filename: basename(pointer),
        target_filename: tgt.makeFilename(base, targetExt, date),
        collection_date: formatPyTs(date),
        processing_date: formatPyTs(now),
      },
      onWarning: (message) => ctx.logger.warn({ item: pointer }, message),
    })
    await tgt.writeBuffer(converted.chunks, entry, { stage: true })
    const stats = converted.stats()
    if (fileType === 'unmatched' && ctx.perfmet) {
      for (const reader of stats.readers) {
        ctx.perfmet.recordSensorObs(reader.sensorName, BT_OBSERVATION_TYPE, {
          observation: reader.count,
          collectionDate: date,
          minTimestamp: reader.min ? parseTimestamp(reader.min) : null,
          maxTimestamp: reader.max ? parseTimestamp(reader.max) : null,
        })
      }
      await ctx.perfmet.writeSensorObs()
    }
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `bt-json-standard` with plain-object arguments (`{ start_date: 30 }`). */
export function main(args: Record<string, unknown>, runtime?: AppRuntime): Promise<RunResult> {
  return new BtJsonStandardApp(args, runtime).run()
}
