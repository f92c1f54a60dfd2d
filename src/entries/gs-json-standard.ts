import { rm } from 'node:fs/promises'
import { basename } from 'node:path'
import type { DateTime } from 'luxon'
import type { AppDefinition } from '../support/app-definition.js'
import type { CatalogEntry } from '../support/catalog-driver.js'
import type { AppContext } from '../support/context.js'
import { InputError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { mapProvider } from '../support/providers/map-provider.js'
import { UNIT_DATA_EXT } from '../support/unit-data.js'
import { formatDay, formatPyTs } from '../util/dates.js'
import { OncePerKey } from '../util/once-per-key.js'
import { parsePyJson } from '../util/py-json.js'
import {
  type ClockCorrection,
  type ConvertedZone,
  central,
  clockCorrection,
  convertCountCsv,
} from './gs/counts.js'
import { DEFAULT_ZIP_LIMITS, readCountsZip, type ZipLimits } from './gs/zip-reader.js'

/** Perfmet observation type of the GRIDSMART standardize stage. */
export const GS_OBSERVATION_TYPE = 'Vehicle Counts'
/** Identifier ext of the raw count archives. */
export const GS_ZIP_EXT = 'zip'
/** Identifier ext of site files (raw and rawjson). */
export const GS_SITE_EXT = 'site.json'
/** Identifier ext of a zone document: `<dashed guid>.json`. */
export const GS_ZONE_EXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/i

/** Programmatic options of {@link GsJsonStandardApp} (the CLI has `max_zip_bytes` / `max_zip_entries`). */
export interface GsJsonStandardOptions {
  /** Archive bounds; override the CLI options. */
  readonly zipLimits?: Partial<ZipLimits>
}

/** A site file in use: its raw catalog row and parsed document. */
interface SiteFile {
  readonly row: CatalogEntry
  readonly bytes: Buffer
  readonly correction: ClockCorrection | null
  readonly problem: string | null
}

/**
 * `gs_json_standard.py` (spec §9.10): each raw count ZIP becomes one rawjson document per detection zone, with
 * `timestamp_adj` corrected by the camera clock error of the nearest site file; the site file and the unit data the
 * day uses are copied to rawjson, and one `Vehicle Counts` observation per intersection is recorded. Empty or
 * garbled zone files are quarantined (logged, not written) without stopping the others.
 */
export class GsJsonStandardApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'gs-json-standard',
    original: 'gs_json_standard.py',
    description: 'GRIDSMART standardize: raw count ZIPs to one rawjson JSON document per detection zone',
    dataSource: 'gs',
    purposeSrc: 'raw',
    purposeTgt: 'standardized',
    perfmetStage: 'Standardize',
    needsTempDir: true,
    concurrentItems: true,
    options: [
      {
        name: 'max_zip_bytes',
        type: 'number',
        default: DEFAULT_ZIP_LIMITS.maxTotalBytes,
        describe: 'Refuse a count archive holding more uncompressed bytes than this',
      },
      {
        name: 'max_zip_entries',
        type: 'number',
        default: DEFAULT_ZIP_LIMITS.maxEntries,
        describe: 'Refuse a count archive holding more entries than this',
      },
    ],
  }
  readonly definition = GsJsonStandardApp.definition
  protected readonly keyMode: KeyMode = 'base'
  readonly #options: GsJsonStandardOptions
  #site: SiteFile | null = null
  readonly #copied = new OncePerKey()

  constructor(args: Record<string, unknown>, runtime?: AppRuntime, options: GsJsonStandardOptions = {}) {
    super(args, runtime)
    this.#options = options
  }

  protected override async beforeLoop(): Promise<void> {
    this.#site = null
    this.#copied.clear()
  }

  protected source(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('raw'),
      dataSource: 'gs',
      ext: GS_ZIP_EXT,
    })
  }

  /**
   * Only zone documents count as "done" (base key): the rawjson site file (dated by its own capture day) and the
   * unit data must not make another day's ZIP look processed; a ZIP's zone rows are staged only after all of its
   * zones converted, so a crash never leaves a partly processed day looking complete.
   */
  protected target(ctx: AppContext): ItemProvider {
    const standardized = createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('standardized'),
      dataSource: 'gs',
    })
    return mapProvider(standardized, (item) =>
      GS_ZONE_EXT.test(item.ext) ? { ...item, ext: GS_ZIP_EXT } : null,
    )
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const tgt = ctx.storageTgt
    if (!src || !tgt) return 0
    const { base, date } = item.identifier
    const pointer = (item.provItem.payload as CatalogEntry).pointer
    const log = ctx.logger.child({ item: pointer })
    log.info(
      { from: src.repository, to: tgt.repository },
      `${pointer}: ${src.repository} -> ${tgt.repository}`,
    )
    const site = await this.#siteFile(base, date, ctx)
    if (!site) {
      log.error(
        `${pointer}: no site file for "${base}" in ${src.repository}: cannot correct the clock; skipped`,
      )
      return 0
    }
    if (site.problem) log.warn(`${pointer}: ${site.problem}; rows are kept without timestamp_adj`)
    await this.#copyUnitData(date, ctx)
    const zones = await this.#convertZip(pointer, date, site.correction, ctx)
    if (zones.size === 0) {
      log.warn(`${pointer}: no zone file converted; nothing written (the archive is retried on the next run)`)
      return 0
    }
    const now = ctx.clock.now()
    for (const [guid, zone] of zones) {
      const ext = `${guid}.json`
      const header = {
        data_type: 'gridsmart',
        zip_name: basename(pointer),
        origin_filename: `${guid}.csv`,
        target_filename: `${base}_${guid}_${formatDay(date)}.json`,
        collection_date: formatPyTs(date),
        processing_date: formatPyTs(now),
        version: zone.version,
        guid,
        ...(zone.dayCovered === null ? {} : { day_covered: zone.dayCovered }),
      }
      const entry = tgt.createCatalogEntry(base, ext, date, { processingDate: now })
      await tgt.writeJson({ header, data: zone.rows }, entry, { stage: true })
    }
    await this.#copied.run(site.row.pointer, async () => {
      const entry = tgt.createCatalogEntry(base, GS_SITE_EXT, site.row.collectionDate, {
        processingDate: now,
      })
      await tgt.writeBuffer(site.bytes, entry, { stage: true })
    })
    this.#record(base, date, [...zones.values()], ctx)
    await ctx.perfmet?.writeSensorObs()
    return 1
  }

  /** Converts every zone file of the archive; quarantined zones are logged and left out. */
  async #convertZip(
    pointer: string,
    date: DateTime,
    correction: ClockCorrection | null,
    ctx: AppContext,
  ): Promise<Map<string, ConvertedZone>> {
    const src = ctx.storageSrc
    if (!src) throw new InputError('gs-json-standard needs a source repository.')
    const label = basename(pointer)
    const path = await src.retrieveFilePath(pointer)
    let archive: Awaited<ReturnType<typeof readCountsZip>>
    try {
      archive = await readCountsZip(path, { label, day: formatDay(date), limits: this.#limits(ctx) })
    } finally {
      await rm(path, { force: true })
    }
    for (const problem of archive.problems) ctx.logger.warn({ item: pointer }, problem)
    const zones = new Map<string, ConvertedZone>()
    for (const camera of archive.cameras) {
      for (const file of camera.files) {
        const where = `${label}: zone ${file.guid} (camera ${camera.mac})`
        try {
          const zone = convertCountCsv(file.data.toString('utf8'), { day: date, correction })
          for (const warning of zone.warnings) ctx.logger.warn({ item: pointer }, `${where}: ${warning}`)
          if (zone.dropped.size > 0) {
            const reasons = [...zone.dropped].map(([reason, n]) => `${reason} (${n}×)`).join('; ')
            ctx.logger.warn({ item: pointer }, `${where}: rows left out: ${reasons}`)
          }
          zones.set(file.guid, zone)
        } catch (error) {
          if (!(error instanceof InputError)) throw error
          ctx.logger.warn(
            { item: pointer, zone: file.guid },
            `${where}: quarantined, not written: ${error.message}`,
          )
        }
      }
    }
    return zones
  }

  #limits(ctx: AppContext): Partial<ZipLimits> {
    const bytes = Number(ctx.custom.max_zip_bytes)
    const entries = Number(ctx.custom.max_zip_entries)
    return {
      ...(Number.isFinite(bytes) && bytes > 0 ? { maxTotalBytes: bytes } : {}),
      ...(Number.isFinite(entries) && entries > 0 ? { maxEntries: entries } : {}),
      ...this.#options.zipLimits,
    }
  }

  /**
   * The site file of a day (spec §9.10 step 2): the latest one dated on or before the day, else the earliest one
   * after it; downloaded once while it stays the same.
   */
  async #siteFile(base: string, date: DateTime, ctx: AppContext): Promise<SiteFile | null> {
    const raw = ctx.repository('raw')
    const row =
      (await ctx.catalog.queryLatest(raw, base, GS_SITE_EXT, { late: date.plus({ milliseconds: 1 }) })) ??
      (await ctx.catalog.queryEarliest(raw, base, GS_SITE_EXT, { early: date }))
    if (!row) return null
    if (this.#site?.row.pointer === row.pointer) return this.#site
    const bytes = await (ctx.storageSrc as NonNullable<AppContext['storageSrc']>).retrieveBuffer(row.pointer)
    let correction: ClockCorrection | null = null
    let problem: string | null = null
    try {
      const doc = parsePyJson(bytes.toString('utf8')) as { datetime?: unknown } | null
      correction = clockCorrection(doc?.datetime)
    } catch (error) {
      problem = `${basename(row.pointer)}: ${error instanceof Error ? error.message : String(error)}`
    }
    this.#site = { row, bytes, correction, problem }
    return this.#site
  }

  /** Copies the raw unit data the day uses (the first snapshot strictly after it) to rawjson, once per run. */
  async #copyUnitData(date: DateTime, ctx: AppContext): Promise<void> {
    const { storageSrc: src, storageTgt: tgt } = ctx
    if (!src || !tgt) return
    const area = ctx.settings.unitLocation
    const row = await ctx.catalog.queryEarliest(src.repository, area, UNIT_DATA_EXT, {
      early: date.plus({ seconds: 1 }),
    })
    if (!row) {
      ctx.logger.warn(
        `No unit data after ${formatDay(date)} in ${src.repository}: none copied to ${tgt.repository}`,
      )
      return
    }
    await this.#copied.run(row.pointer, async () => {
      const entry = tgt.createCatalogEntry(area, UNIT_DATA_EXT, row.collectionDate, {
        processingDate: row.processingDate,
        metadata: row.metadata,
      })
      await tgt.writeBuffer(await src.retrieveBuffer(row.pointer), entry)
    })
  }

  #record(base: string, date: DateTime, zones: readonly ConvertedZone[], ctx: AppContext): void {
    const perfmet = ctx.perfmet
    if (!perfmet) return
    perfmet.recordCollect(date, true)
    let count = 0
    let min: number | null = null
    let max: number | null = null
    for (const { parsed } of zones) {
      count += parsed.count
      if (parsed.min !== null && (min === null || parsed.min < min)) min = parsed.min
      if (parsed.max !== null && (max === null || parsed.max > max)) max = parsed.max
    }
    perfmet.recordSensorObs(base, GS_OBSERVATION_TYPE, {
      observation: count,
      collectionDate: date,
      minTimestamp: min === null ? null : central(min),
      maxTimestamp: max === null ? null : central(max),
    })
  }
}

/** Runs `gs-json-standard` with plain-object arguments (`{ start_date: 30 }`). */
export function main(
  args: Record<string, unknown>,
  runtime?: AppRuntime,
  options?: GsJsonStandardOptions,
): Promise<RunResult> {
  return new GsJsonStandardApp(args, runtime, options).run()
}
