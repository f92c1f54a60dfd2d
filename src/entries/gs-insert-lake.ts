import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DateTime } from 'luxon'
import {
  createGridsmartClient,
  type GridsmartClient,
  type GridsmartClientOptions,
  type GsDatetimeDocument,
} from '../drivers/devices/gridsmart/client.js'
import { type GsCandidate, parseSiteInfo, selectDevices } from '../drivers/devices/gridsmart/site.js'
import type { AppDefinition } from '../support/app-definition.js'
import type { AppContext } from '../support/context.js'
import { ArgumentError, EtlError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, ProviderItem, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { inProviderWindow } from '../support/providers/file-provider.js'
import { makeUnitDataDocument, type UnitDataDocument, UnitDataStore } from '../support/unit-data.js'
import { formatDay, formatPyTs, startOfLocalDay } from '../util/dates.js'
import { OncePerKey } from '../util/once-per-key.js'

/** Identifier ext of the counts ZIPs. */
export const GS_ZIP_EXT = 'zip'
/** Identifier ext of the site files. */
export const GS_SITE_EXT = 'site.json'

/** A contacted camera: what ingest stores for it and the days it offers. */
export interface GsCamera {
  /** Street base from the camera's own site.json (`Street1_Street2`, `/` → `&`). */
  readonly base: string
  /** `device_ip` of the unit data. */
  readonly ip: string
  readonly client: GridsmartClient
  readonly site: Record<string, unknown>
  readonly datetime: GsDatetimeDocument
  readonly hardwareInfo: Record<string, unknown>
  /** Days with counts (Central midnights, ascending). */
  readonly days: readonly DateTime[]
}

/** What `gs-insert-lake` may be given besides its arguments (tests, embedding). */
export interface GsInsertLakeOptions {
  /** Client settings for every camera (timeouts, size limit, fetch). The host and port come from `device_ip`. */
  readonly client?: Omit<GridsmartClientOptions, 'host' | 'port'>
}

/** The site-file document of a camera (spec §9.9 per-item step 2). */
export function makeSiteDocument(camera: GsCamera, runDay: DateTime): Record<string, unknown> {
  return {
    header: {
      data_type: 'gs_site',
      target_filename: `${camera.base}_site_${formatDay(runDay)}.json`,
      collection_date: formatPyTs(runDay),
      device_net_addr: camera.ip,
    },
    site: camera.site,
    datetime: camera.datetime,
    hardware_info: camera.hardwareInfo,
  }
}

/**
 * The original's `LastUpdGSProv` (spec §3.2): for each day ascending that any camera offers within the window, one
 * item per camera (in list order) offering it: `(base, "zip", day)`, payload the camera, label
 * `YYYY-MM-DD_<base>.zip`.
 */
export function createGsDeviceProvider(cameras: readonly GsCamera[]): ItemProvider<GsCamera> {
  return {
    async *list(window) {
      const byDay = new Map<number, DateTime>()
      for (const camera of cameras) {
        for (const day of camera.days) if (inProviderWindow(day, window)) byDay.set(day.toMillis(), day)
      }
      const days = [...byDay.values()].sort((a, b) => a.toMillis() - b.toMillis())
      for (const day of days) {
        for (const camera of cameras) {
          if (!camera.days.some((d) => d.toMillis() === day.toMillis())) continue
          const item: ProviderItem<GsCamera> = {
            base: camera.base,
            ext: GS_ZIP_EXT,
            date: day,
            dateEnd: null,
            payload: camera,
            label: `${formatDay(day)}_${camera.base}.zip`,
          }
          yield item
        }
      }
    },
  }
}

/**
 * `gs_insert_lake.py` (spec §9.9): contacts the GRIDSMART cameras of the unit data and copies every day's counts ZIP
 * the raw catalog lacks into the raw repository, with the camera's site file (once per base per run) and the unit data
 * (once per run). A camera that cannot be contacted is skipped (logged; the run's exit code stays 0); a day whose
 * download fails is an item failure (exit code 2).
 */
export class GsInsertLakeApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'gs-insert-lake',
    original: 'gs_insert_lake.py',
    description:
      'GRIDSMART ingest: copy each camera\u2019s daily counts ZIP and site file into the raw repository',
    dataSource: 'gs',
    purposeTgt: 'raw',
    perfmetStage: 'Ingest',
    needsTempDir: true,
    concurrentItems: true,
    options: [
      {
        name: 'name_filter',
        short: 'f',
        type: 'string',
        default: '.*',
        describe: 'regular expression searched in "<primary_st>_<cross_st>" to choose devices',
      },
    ],
  }
  readonly definition = GsInsertLakeApp.definition
  protected readonly keyMode: KeyMode = 'base'
  readonly #options: GsInsertLakeOptions
  #cameras: GsCamera[] = []
  #unitData: UnitDataDocument | null = null
  readonly #stored = new OncePerKey()

  constructor(args: Record<string, unknown>, runtime?: AppRuntime, options: GsInsertLakeOptions = {}) {
    super(args, runtime)
    this.#options = options
  }

  /** The cameras contacted by this run (after `run()`). */
  get cameras(): readonly GsCamera[] {
    return this.#cameras
  }

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    this.#cameras = []
    this.#stored.clear()
    const filterText = String(ctx.custom.name_filter ?? '.*')
    let filter: RegExp
    try {
      filter = new RegExp(filterText)
    } catch (error) {
      throw new ArgumentError(`--name_filter ${JSON.stringify(filterText)} is not a regular expression.`, {
        cause: error,
      })
    }
    const devices = await ctx.drivers.unitData().fetchDevices(ctx.dataSource.code)
    this.#unitData = makeUnitDataDocument(devices, {
      dataSource: ctx.dataSource.code,
      areaBase: ctx.settings.unitLocation,
      clock: ctx.clock,
    })
    const selection = selectDevices(devices, filter)
    for (const warning of selection.warnings) ctx.logger.warn(warning)
    let failures = 0
    for (const candidate of selection.candidates) {
      try {
        this.#cameras.push(await this.#contact(candidate, ctx))
      } catch (error) {
        if (ctx.signal.aborted) throw error
        failures += 1
        const message = error instanceof Error ? error.message : String(error)
        ctx.logger.error(
          { device: candidate.ip, name: candidate.name, err: error },
          `Skipping device ${candidate.ip} (${candidate.name}): ${message}`,
        )
      }
    }
    ctx.logger.info(
      { successes: this.#cameras.length, failures },
      `Result: Successes: ${this.#cameras.length}; Failures: ${failures}`,
    )
  }

  async #contact(candidate: GsCandidate, ctx: AppContext): Promise<GsCamera> {
    const client = createGridsmartClient({
      ...this.#options.client,
      clock: this.#options.client?.clock ?? ctx.clock,
      logger: this.#options.client?.logger ?? ctx.logger,
      signal: ctx.signal,
      host: candidate.address.host,
      port: candidate.address.port,
    })
    const site = await client.site()
    const datetime = await client.datetime()
    const hardwareInfo = await client.hardwareInfo()
    let info: ReturnType<typeof parseSiteInfo>
    try {
      info = parseSiteInfo(site)
    } catch (error) {
      if (error instanceof EtlError) {
        throw new EtlError(error.code, `${client.device}: ${error.message}`, { cause: error })
      }
      throw error
    }
    const owner = this.#cameras.find((camera) => camera.base === info.base)
    if (owner) {
      throw new EtlError(
        'E_INPUT',
        `street base "${info.base}" is already used by device ${owner.ip}; its files would overwrite each other`,
      )
    }
    for (const warning of info.warnings) ctx.logger.warn({ device: candidate.ip }, `${info.base}: ${warning}`)
    const days = await client.countDays()
    ctx.logger.info(
      { device: candidate.ip, base: info.base, days: days.length },
      `Device ${candidate.ip}: ${info.base}, ${days.length} day(s) available`,
    )
    return { base: info.base, ip: candidate.ip, client, site, datetime, hardwareInfo, days }
  }

  protected source(_ctx: AppContext): ItemProvider {
    return createGsDeviceProvider(this.#cameras)
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
    if (!storage || !ctx.tempDir) return 0
    const camera = item.provItem.payload as GsCamera
    const { base, date } = item.identifier
    const now = ctx.clock.now()
    const unitData = this.#unitData
    if (unitData) {
      await this.#stored.run('unit data', () =>
        new UnitDataStore(storage, ctx.settings.unitLocation).store(unitData),
      )
    }
    await this.#stored.run(`site ${base}`, async () => {
      const runDay = startOfLocalDay(now)
      const entry = storage.createCatalogEntry(base, GS_SITE_EXT, runDay, { processingDate: now })
      await storage.writeJson(makeSiteDocument(camera, runDay), entry, { stage: true })
    })
    const path = join(ctx.tempDir, `${formatDay(date)}_${base}.zip`)
    const download = await camera.client.downloadCounts(date, path)
    try {
      ctx.logger.info(
        { item: item.label, to: storage.repository, bytes: download.bytes, entries: download.entries },
        `${item.label} -> ${storage.repository}`,
      )
      const entry = storage.createCatalogEntry(base, GS_ZIP_EXT, date, { processingDate: now })
      await storage.writeFile(path, entry, { stage: true })
    } finally {
      await rm(path, { force: true })
    }
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `gs-insert-lake` with plain-object arguments (`{ start_date: 7, name_filter: 'Burnet' }`). */
export function main(
  args: Record<string, unknown>,
  runtime?: AppRuntime,
  options?: GsInsertLakeOptions,
): Promise<RunResult> {
  return new GsInsertLakeApp(args, runtime, options).run()
}
