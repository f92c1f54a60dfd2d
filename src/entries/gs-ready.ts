import type { DateTime } from 'luxon'
import { readArg } from '../support/app-args.js'
import type { AppDefinition } from '../support/app-definition.js'
import type { CatalogEntry } from '../support/catalog-driver.js'
import type { AppContext } from '../support/context.js'
import { ArgumentError, InputError } from '../support/errors.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import type { Storage } from '../support/storage.js'
import { UNIT_DATA_EXT, UnitDataStore } from '../support/unit-data.js'
import { formatPyTs } from '../util/dates.js'
import { type CameraSite, matchDevice } from './gs/matching.js'
import {
  configuredZones,
  countsDocument,
  type GsStandardDocument,
  type GsZone,
  rebuildDay,
} from './gs/ready-day.js'

/** Ext of the ready counts documents. */
export const GS_COUNTS_EXT = 'counts.json'
/** Ext of the site files (copied into rawjson by gs-json-standard). */
export const GS_SITE_FILE_EXT = 'site.json'

/** Custom arguments of `gs-ready`. */
export interface GsReadyArgs {
  /** `-p`: write a day even when a previous-day file it needs is missing. @default false */
  readonly ignore_prev?: boolean
  /** `-n`: write a day even when a next-day file it needs is missing. @default false */
  readonly ignore_next?: boolean
}

/** A site file as gs-insert-lake wrote it (§9.9): header, `site.json`, trimmed datetime and hardware info. */
export interface GsSiteFile {
  readonly header?: { readonly device_net_addr?: string | null; readonly [key: string]: unknown }
  readonly site?: Readonly<Record<string, unknown>>
  readonly [key: string]: unknown
}

/** The camera facts the matcher needs, from a site file. */
export function cameraSite(file: GsSiteFile): CameraSite {
  const location = (file.site?.Location ?? {}) as Record<string, unknown>
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  const str = (v: unknown) => (v === null || v === undefined ? '' : String(v))
  return {
    street1: str(location.Street1),
    street2: str(location.Street2),
    latitude: num(location.Latitude),
    longitude: num(location.Longitude),
    ip: typeof file.header?.device_net_addr === 'string' ? file.header.device_net_addr : null,
  }
}

/**
 * The standardized source as one item per (base, day): the GUID documents of an intersection's day collapse into
 * the first of them; site files and unit data are left out. Catalog order (date, base, ext) keeps a base's files of
 * a day together.
 */
export function dayBaseProvider(source: ItemProvider<CatalogEntry>): ItemProvider<CatalogEntry> {
  return {
    async *list(window, options) {
      let last = ''
      for await (const item of source.list(window, options)) {
        if (item.ext === GS_SITE_FILE_EXT || item.ext === UNIT_DATA_EXT) continue
        const key = `${item.date.toMillis()}\u0000${item.base}`
        if (key === last) continue
        last = key
        yield item
      }
    },
  }
}

/**
 * `gs_ready.py` (spec §9.11): for every intersection and local day with standardized GUID documents, rebuilds the
 * day from the zones' files (borrowing the adjacent day's rows when the camera's day is shifted), matches the camera
 * to a unit-data device and writes `(base, "counts.json", day)` to the ready repository. Items are keyed on base
 * only, on purpose: the counts document is a product of all of a day's GUID files, so one target blocks them all.
 */
export class GsReadyApp extends EtlApp<GsReadyArgs> {
  static readonly definition: AppDefinition = {
    name: 'gs-ready',
    original: 'gs_ready.py',
    description: 'GRIDSMART ready: one counts document per intersection and local day, matched to its device',
    dataSource: 'gs',
    purposeSrc: 'standardized',
    purposeTgt: 'ready',
    perfmetStage: 'Ready',
    needsTempDir: true,
    concurrentItems: true,
    options: [
      {
        name: 'ignore_prev',
        short: 'p',
        type: 'boolean',
        default: false,
        describe: 'ignore a missing previous day',
      },
      {
        name: 'ignore_next',
        short: 'n',
        type: 'boolean',
        default: false,
        describe: 'ignore a missing next day',
      },
    ],
  }
  readonly definition = GsReadyApp.definition
  protected readonly keyMode: KeyMode = 'base'
  #unitData: UnitDataStore | null = null
  #sites = new Map<string, GsSiteFile>()
  #ignorePrev = false
  #ignoreNext = false

  protected override async beforeLoop(ctx: AppContext): Promise<void> {
    this.#unitData = ctx.storageSrc ? new UnitDataStore(ctx.storageSrc, ctx.settings.unitLocation) : null
    this.#sites = new Map()
    this.#ignorePrev = flag(ctx, 'ignore_prev')
    this.#ignoreNext = flag(ctx, 'ignore_next')
  }

  protected source(ctx: AppContext): ItemProvider {
    const all = createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('standardized'),
      dataSource: 'gs',
      ext: { like: '%.json' },
    })
    return dayBaseProvider(all)
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('ready'),
      dataSource: 'gs',
      ext: GS_COUNTS_EXT,
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const src = ctx.storageSrc
    const tgt = ctx.storageTgt
    if (!src || !tgt || !this.#unitData) return 0
    const { base, date } = item.identifier
    const log = ctx.logger.child({ base, date: formatPyTs(date) })
    const site = await this.#siteFile(src, base, date)
    if (!site)
      throw new InputError(`No site file for "${base}" in ${src.repository}: run gs-json-standard first.`)
    const unitData = await this.#unitData.retrieve(date)
    if (!unitData) log.warn(`No unit data dated after ${formatPyTs(date)}: the device is left empty.`)
    const matched = unitData ? matchDevice(cameraSite(site), unitData.devices) : null
    for (const warning of matched?.warnings ?? []) log.warn(warning)
    if (matched?.match)
      log.info({ stage: matched.match.stage }, `Matched device ${matched.match.device.atd_device_id}`)
    else log.warn('No unit-data device matches this camera.')
    const load = async (zone: GsZone, day: DateTime) => {
      const row = await src.catalogLookup(base, `${zone.guid}.json`, day)
      return row ? ((await src.retrieveJson(row.pointer)) as GsStandardDocument) : null
    }
    const zones = configuredZones(site.site)
    const day = await rebuildDay(date, zones, load, {
      ignorePrev: this.#ignorePrev,
      ignoreNext: this.#ignoreNext,
    })
    for (const warning of day.warnings) log.warn(warning)
    if (day.blocked || !day.header) {
      log.warn(
        `${base}: nothing written yet; retried next run. ${day.blocked ?? 'No standardized file for any zone.'}`,
      )
      return 0
    }
    const now = ctx.clock.now()
    const doc = countsDocument(
      day.header,
      day.rows,
      site.site ?? null,
      matched?.match?.device,
      formatPyTs(now),
    )
    const entry = tgt.createCatalogEntry(base, GS_COUNTS_EXT, date, { processingDate: now })
    await tgt.writeJson(doc, entry, { stage: true })
    log.info({ rows: day.rows.length }, `${entry.pointer} written`)
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }

  async #siteFile(src: Storage, base: string, date: DateTime): Promise<GsSiteFile | null> {
    const catalog = src.catalog
    if (!catalog) return null
    const row =
      (await catalog.queryLatest(src.repository, base, GS_SITE_FILE_EXT, {
        late: date.plus({ milliseconds: 1 }),
      })) ?? (await catalog.queryEarliest(src.repository, base, GS_SITE_FILE_EXT, { early: date }))
    if (!row) return null
    const cached = this.#sites.get(row.pointer)
    if (cached) return cached
    const file = (await src.retrieveJson(row.pointer)) as GsSiteFile
    this.#sites.set(row.pointer, file)
    return file
  }
}

function flag(ctx: AppContext, name: string): boolean {
  const value = readArg(ctx.custom, name) ?? false
  if (typeof value !== 'boolean')
    throw new ArgumentError(`--${name} is a flag (got ${JSON.stringify(value)}).`)
  return value
}

/** Runs `gs-ready` with plain-object arguments (`{ start_date: 3, ignore_next: true }`). */
export function main(args: Record<string, unknown> & GsReadyArgs, runtime?: AppRuntime): Promise<RunResult> {
  return new GsReadyApp(args, runtime).run()
}
