import { Readable } from 'node:stream'
import type { AppDefinition } from '../support/app-definition.js'
import type { CatalogEntry } from '../support/catalog-driver.js'
import type { AppContext } from '../support/context.js'
import { InputError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { mapProvider } from '../support/providers/map-provider.js'
import { UNIT_DATA_EXT, type UnitDataDocument, UnitDataStore } from '../support/unit-data.js'
import { formatPyTs } from '../util/dates.js'
import { fileTypeOfExt } from './bt/awam-format.js'
import {
  asStandardizedDocument,
  type DeviceIndex,
  indexDevices,
  readyDocumentChunks,
  readyTransform,
} from './bt/ready-transform.js'

/**
 * `bt_ready.py`: joins each standardized Bluetooth file to the unit data in force after its day (device ids,
 * unknown readers dropped, rows sorted, referenced devices listed) and writes it to the ready repository
 * (spec §9.3). Source and target are matched on base and ext, so one ready file never blocks the day's others.
 */
export class BtReadyApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'bt-ready',
    original: 'bt_ready.py',
    description:
      'Bluetooth ready: standardized files joined to the unit-data devices (device ids) in the ready layer',
    dataSource: 'bt',
    purposeSrc: 'standardized',
    purposeTgt: 'ready',
    perfmetStage: 'Ready',
    needsTempDir: false,
    concurrentItems: true,
    options: [],
  }
  readonly definition = BtReadyApp.definition
  protected readonly keyMode: KeyMode = 'base+ext'
  #unitData: UnitDataStore | null = null
  #index: { document: UnitDataDocument; index: DeviceIndex } | null = null

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    this.#unitData = ctx.storageSrc ? new UnitDataStore(ctx.storageSrc, ctx.settings.unitLocation) : null
    this.#index = null
  }

  protected source(ctx: AppContext): ItemProvider {
    const all = createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('standardized'),
      dataSource: 'bt',
    })
    return mapProvider(all, (item) => (item.ext === UNIT_DATA_EXT ? null : item))
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'bt',
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const tgt = ctx.storageTgt
    if (!src || !tgt || !this.#unitData) return 0
    const { base, ext, date } = item.identifier
    const fileType = fileTypeOfExt(ext, 'json')
    if (!fileType) {
      ctx.logger.warn({ item: item.label }, `Unsupported file type "${ext}": skipped`)
      return 0
    }
    const unitData = await this.#unitData.retrieve(date)
    if (!unitData) {
      throw new InputError(
        `No unit data dated after ${formatPyTs(date)} in ${src.repository}; run bt-json-standard first.`,
      )
    }
    if (this.#index?.document !== unitData)
      this.#index = { document: unitData, index: indexDevices(unitData.devices) }
    const devices = this.#index.index
    const pointer = (item.provItem.payload as CatalogEntry).pointer
    ctx.logger.info(
      { item: pointer, from: src.repository, to: tgt.repository },
      `${pointer}: ${src.repository} -> ${tgt.repository}`,
    )
    const source = asStandardizedDocument(await src.retrieveJson(pointer), pointer)
    const now = ctx.clock.now()
    const ready = readyTransform(fileType, source, devices, formatPyTs(now))
    const entry = tgt.createCatalogEntry(base, `${fileType}.json`, date, { processingDate: now })
    await tgt.writeBuffer(Readable.from(readyDocumentChunks(ready)), entry, { stage: true })
    ctx.logger.debug(
      { item: pointer, rows: ready.data.length, devices: ready.devices.length },
      'ready written',
    )
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `bt-ready` with plain-object arguments (`{ start_date: 30 }`). */
export function main(args: Record<string, unknown>, runtime?: AppRuntime): Promise<RunResult> {
  return new BtReadyApp(args, runtime).run()
}
