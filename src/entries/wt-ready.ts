import type { AppDefinition } from '../support/app-definition.js'
import type { AppContext } from '../support/context.js'
import { InputError, NotFoundError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { UNIT_DATA_EXT, UnitDataStore } from '../support/unit-data.js'
import { formatPyTs } from '../util/dates.js'
import { readyWt, type WtDocument } from './wt/ready.js'
import { WT_JSON_EXT } from './wt-json-standard.js'

/**
 * `wt_ready.py` (spec §9.7): joins each standardized Wavetronix document to the radar unit data captured after its
 * day (`device_id` per row, the referenced devices appended) and writes it to the ready repository.
 */
export class WtReadyApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'wt-ready',
    original: 'wt_ready.py',
    description:
      'Wavetronix ready: rawjson documents joined to the radar unit data, into the ready repository',
    dataSource: 'wt',
    purposeSrc: 'standardized',
    purposeTgt: 'ready',
    perfmetStage: 'Ready',
    needsTempDir: false,
    concurrentItems: true,
    options: [],
  }
  readonly definition = WtReadyApp.definition
  protected readonly keyMode: KeyMode = 'base'
  #unitData: UnitDataStore | null = null

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    if (ctx.storageSrc) this.#unitData = new UnitDataStore(ctx.storageSrc, ctx.settings.unitLocation)
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('standardized'),
      dataSource: 'wt',
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'wt',
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const tgt = ctx.storageTgt
    if (!src || !tgt || !this.#unitData) return 0
    const { base, ext, date } = item.identifier
    if (ext === UNIT_DATA_EXT) return 0
    const unitData = await this.#unitData.retrieve(date)
    if (!unitData) {
      throw new NotFoundError(
        `No ${UNIT_DATA_EXT} in ${src.repository} dated after ${formatPyTs(date)}: run wt-json-standard first.`,
      )
    }
    const pointer = (item.provItem.payload as { pointer: string }).pointer
    ctx.logger.info(
      { item: pointer, from: src.repository, to: tgt.repository },
      `${pointer}: ${src.repository} -> ${tgt.repository}`,
    )
    const document = (await src.retrieveJson(pointer)) as WtDocument | null
    if (!document || typeof document.header !== 'object' || !Array.isArray(document.data)) {
      throw new InputError(`${pointer} is not a {header, data} document.`)
    }
    const now = ctx.clock.now()
    const ready = readyWt(document, unitData.devices, formatPyTs(now))
    const entry = tgt.createCatalogEntry(base, WT_JSON_EXT, date, { processingDate: now })
    await tgt.writeJson(ready, entry, { stage: true })
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `wt-ready` with plain-object arguments (`{ start_date: 30 }`). */
export function main(args: Record<string, unknown>, runtime?: AppRuntime): Promise<RunResult> {
  return new WtReadyApp(args, runtime).run()
}
