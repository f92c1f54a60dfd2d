import type { DateTime } from 'luxon'
import type { AppDefinition } from '../support/app-definition.js'
import type { CatalogEntry } from '../support/catalog-driver.js'
import type { AppContext } from '../support/context.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { recordPublished } from '../support/published.js'
import type { Publisher } from '../support/publisher.js'
import type { Storage } from '../support/storage.js'
import { AWAM_FILE_TYPES, AWAM_FORMATS, type AwamFileType, fileTypeOfExt } from './bt/awam-format.js'
import {
  asReadyInput,
  createDeviceNumbering,
  type DeviceNumbering,
  numberAddresses,
  publishRows,
} from './bt/publish-rows.js'

/** The numbering of one data day: ITMF addresses first, then IAF (spec §9.4, documented intent). */
interface DayNumbering {
  readonly day: number
  readonly numbering: DeviceNumbering
  /** Every ITMF row of the day is numbered (by publishing it, or by reading it before the IAF file). */
  itmfDone: boolean
}

/**
 * `bt_extract_soc.py`: publishes every ready Bluetooth file to its dataset (TMSR `v7zg-5jg9`, ITMF `x44q-icha`,
 * IAF `qnpj-zrb9`) with `record_id` hashes and the daily `device_address` numbering, then records the file in
 * the catalog under repository `socrata` (spec §9.4). Files are matched on base and ext, so a published file never
 * blocks the day's others; a day's numbering always starts with its ITMF file.
 */
export class BtExtractSocApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'bt-extract-soc',
    original: 'bt_extract_soc.py',
    description: 'Bluetooth publish: ready IAF, ITMF and TMSR files to their open-data datasets',
    dataSource: 'bt',
    purposeSrc: 'ready',
    perfmetStage: 'Publish',
    needsTempDir: false,
    options: [],
  }
  readonly definition = BtExtractSocApp.definition
  protected readonly keyMode: KeyMode = 'base+ext'
  #publishers: Partial<Record<AwamFileType, Publisher>> = {}
  #day: DayNumbering | null = null

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    this.#publishers = {}
    for (const fileType of AWAM_FILE_TYPES) this.#publishers[fileType] = ctx.publisher(fileType)
    this.#day = null
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'bt',
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('public'),
      dataSource: 'bt',
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const { base, ext, date } = item.identifier
    const fileType = fileTypeOfExt(ext, 'json')
    const publisher = fileType ? this.#publishers[fileType] : undefined
    if (!src || !fileType || !publisher) {
      ctx.logger.warn({ item: item.label }, `Unsupported file type "${ext}": skipped`)
      return 0
    }
    const pointer = (item.provItem.payload as CatalogEntry).pointer
    ctx.logger.info(
      { item: pointer, from: src.repository, to: publisher.identifier },
      `${pointer}: ${src.repository} -> ${publisher.identifier}`,
    )
    const doc = asReadyInput(await src.retrieveJson(pointer), pointer)
    const now = ctx.clock.now()
    const numbering = await this.#numberingFor(fileType, base, date, src, ctx)
    const rows = publishRows(fileType, doc, numbering)
    if (fileType === 'matched' && this.#day) this.#day.itmfDone = true
    try {
      for (const row of rows) await publisher.addRow(row)
      await publisher.flush()
    } finally {
      publisher.reset()
    }
    await recordPublished(ctx, publisher, item.identifier, now)
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }

  /**
   * The day's numbering: ITMF starts a fresh map; IAF continues the day's ITMF map, read from the day's ready
   * ITMF file when this run did not number it (so the numbers never depend on which files a run publishes).
   */
  async #numberingFor(
    fileType: AwamFileType,
    base: string,
    date: DateTime,
    src: Storage,
    ctx: AppContext,
  ): Promise<DeviceNumbering> {
    const day = date.toMillis()
    if (fileType === 'traf_match_summary') return createDeviceNumbering()
    if (fileType === 'matched') {
      this.#day = { day, numbering: createDeviceNumbering(), itmfDone: false }
      return this.#day.numbering
    }
    if (this.#day?.day === day && this.#day.itmfDone) return this.#day.numbering
    const numbering = createDeviceNumbering()
    const itmfRow = await ctx.catalog.querySingle(src.repository, base, AWAM_FORMATS.matched.jsonExt, date)
    if (itmfRow) {
      numberAddresses(asReadyInput(await src.retrieveJson(itmfRow.pointer), itmfRow.pointer).data, numbering)
      ctx.logger.debug(
        { item: itmfRow.pointer, addresses: numbering.size },
        'IAF numbering continues the ITMF file',
      )
    }
    this.#day = { day, numbering, itmfDone: true }
    return numbering
  }
}

/** Runs `bt-extract-soc` with plain-object arguments (`{ start_date: 30 }`). */
export function main(args: Record<string, unknown>, runtime?: AppRuntime): Promise<RunResult> {
  return new BtExtractSocApp(args, runtime).run()
}
