import type { DateTime } from 'luxon'
import { addDays, formatPyTs, parseTimestamp } from '../../util/dates.js'

/** One row of a standardized GUID document (the CSV fields plus `timestamp_adj`, spec §9.10). */
export type GsRow = Record<string, unknown>

/** The header of a standardized GUID document. */
export interface GsStandardHeader {
  readonly data_type: string
  readonly zip_name?: string
  readonly collection_date: string
  readonly version?: number
  readonly guid?: string
  /** `-1`: the file lacks the end of the local day; `0`: it covers it; `1`: it lacks the start. */
  readonly day_covered?: number
  readonly [key: string]: unknown
}

/** A standardized GUID document (`<base>_gs_<date>_<guid>.json` in rawjson). */
export interface GsStandardDocument {
  readonly header: GsStandardHeader
  readonly data: readonly GsRow[]
}

/** A configured vehicle zone of a camera. */
export interface GsZone {
  /** `Vehicle.Id` without dashes (32 hex digits): the rows' `zone`. */
  readonly ident: string
  /** The dashed GUID (8-4-4-4-12): the rawjson ext is `<guid>.json`. */
  readonly guid: string
}

/** `Vehicle.Id` as 32 hex digits (dashes removed). */
export function zoneIdent(id: string): string {
  return id.replaceAll('-', '')
}

/** The dashed form 8-4-4-4-12 of a zone id (left as is when it is not 32 characters without dashes). */
export function dashedGuid(id: string): string {
  const s = zoneIdent(id)
  if (s.length !== 32) return id
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}

type Json = Record<string, unknown>
const asObject = (value: unknown): Json | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

/** Every `ZoneMasks[*].Vehicle` of every camera of a `site.json` document, with its camera's `IsConfigured`. */
export function vehicleMasks(site: unknown): { vehicle: Json; configured: boolean }[] {
  const out: { vehicle: Json; configured: boolean }[] = []
  for (const camera of asArray(asObject(site)?.CameraDevices)) {
    const fisheye = asObject(asObject(camera)?.Fisheye)
    if (!fisheye) continue
    for (const mask of asArray(asObject(fisheye.CameraMasks)?.ZoneMasks)) {
      const vehicle = asObject(asObject(mask)?.Vehicle)
      if (vehicle && typeof vehicle.Id === 'string')
        out.push({ vehicle, configured: fisheye.IsConfigured === true })
    }
  }
  return out
}

/** The zones gs-ready reads: vehicle masks with `IncludeInData` of cameras whose `Fisheye.IsConfigured` is true. */
export function configuredZones(site: unknown): GsZone[] {
  return vehicleMasks(site)
    .filter((m) => m.configured && m.vehicle.IncludeInData === true)
    .map((m) => ({ ident: zoneIdent(m.vehicle.Id as string), guid: dashedGuid(m.vehicle.Id as string) }))
}

/** Reads the standardized document of a zone for a day, or `null` when the catalog has none. */
export type ZoneFileLoader = (zone: GsZone, day: DateTime) => Promise<GsStandardDocument | null>

/** Options of {@link rebuildDay}. */
export interface RebuildDayOptions {
  /** `-p/--ignore_prev`: write the day even when a previous-day file it needs is missing. */
  readonly ignorePrev: boolean
  /** `-n/--ignore_next`: write the day even when a next-day file it needs is missing. */
  readonly ignoreNext: boolean
}

/** The rebuilt local day of one intersection. */
export interface RebuiltDay {
  /** The rows of `[day, day + 1)`, each with `zone`, sorted by the instant of `timestamp_adj`. */
  readonly rows: GsRow[]
  /** The first current-day header seen (the counts document's header source), or `null`. */
  readonly header: GsStandardHeader | null
  /** `1`/`-1` when a needed previous/next-day file was missing (the last such zone wins), else `0`. */
  readonly dayDirErr: number
  /** Why nothing should be written, or `null`. */
  readonly blocked: string | null
  readonly warnings: string[]
}

interface Timed {
  readonly at: number
  readonly seq: number
  readonly row: GsRow
}

/**
 * Rebuilds one intersection's local day (spec §9.11 step 3–5): for every zone, the rows of the current-day file whose
 * `timestamp_adj` lies in `[day, day + 1 wall-clock day)`, plus — when the header's `day_covered` says the camera's
 * day is shifted — the rows in the same window from the previous (`1`) or next (`-1`) day's file. Each row gets
 * `zone = ident`. Rows are sorted by instant (stable), not by the `timestamp_adj` text as the original did
 * (§10.19: text order is wrong across the fall-back hour and between offsets). Rows without a parseable
 * `timestamp_adj` are left out with a counted warning (the original lost the whole zone to a traceback).
 */
export async function rebuildDay(
  day: DateTime,
  zones: readonly GsZone[],
  load: ZoneFileLoader,
  options: RebuildDayOptions,
): Promise<RebuiltDay> {
  const start = day.toMillis()
  const end = addDays(day, 1).toMillis()
  const warnings: string[] = []
  const timed: Timed[] = []
  let header: GsStandardHeader | null = null
  let dayDirErr = 0
  let unparseable = 0
  const take = (doc: GsStandardDocument, zone: GsZone) => {
    for (const row of doc.data) {
      const text = row.timestamp_adj
      let at: number
      try {
        if (typeof text !== 'string') throw new Error('missing')
        at = parseTimestamp(text).toMillis()
      } catch {
        unparseable += 1
        continue
      }
      if (at >= start && at < end) timed.push({ at, seq: timed.length, row: { ...row, zone: zone.ident } })
    }
  }
  for (const zone of zones) {
    const current = await load(zone, day)
    if (!current) {
      warnings.push(`No standardized file for zone ${zone.guid} on ${formatPyTs(day)}.`)
      continue
    }
    header ??= current.header
    take(current, zone)
    const covered = current.header.day_covered
    if (covered === undefined || covered === null) {
      warnings.push(`Zone ${zone.guid}: the header has no day_covered; the adjacent days are not read.`)
      continue
    }
    if (covered !== 1 && covered !== -1) continue
    const other = addDays(day, covered === 1 ? -1 : 1)
    const adjacent = await load(zone, other)
    if (adjacent) take(adjacent, zone)
    else {
      warnings.push(
        `Zone ${zone.guid}: day_covered ${covered} needs the file of ${formatPyTs(other)}, which is missing.`,
      )
      dayDirErr = covered
    }
  }
  if (unparseable > 0) warnings.push(`${unparseable} row(s) without a parseable timestamp_adj were left out.`)
  let blocked: string | null = null
  if (dayDirErr === 1 && !options.ignorePrev) {
    blocked = 'The previous day is needed but missing (use -p/--ignore_prev to write the day anyway).'
  } else if (dayDirErr === -1 && !options.ignoreNext) {
    blocked = 'The next day is needed but missing (use -n/--ignore_next to write the day anyway).'
  } else if (timed.length === 0) {
    blocked = 'No rows for this day.'
  }
  timed.sort((a, b) => a.at - b.at || a.seq - b.seq)
  return { rows: timed.map((t) => t.row), header, dayDirErr, blocked, warnings }
}

/** The ready counts document (spec §9.11 step 5). */
export interface GsCountsDocument {
  readonly header: {
    readonly data_type: string
    readonly zip_name: unknown
    readonly collection_date: unknown
    readonly version: unknown
    readonly processing_date: string
  }
  readonly counts: readonly GsRow[]
  readonly site: unknown
  readonly device: unknown
}

/** Assembles the counts document from a rebuilt day. */
export function countsDocument(
  header: GsStandardHeader,
  rows: readonly GsRow[],
  site: unknown,
  device: unknown,
  processingDate: string,
): GsCountsDocument {
  return {
    header: {
      data_type: 'gridsmart',
      zip_name: header.zip_name ?? null,
      collection_date: header.collection_date,
      version: header.version ?? null,
      processing_date: processingDate,
    },
    counts: rows,
    site,
    device: device ?? [],
  }
}
