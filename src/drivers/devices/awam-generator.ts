/**
 * Deterministic synthetic AWAM share files (spec §11.1) and the matching Bluetooth unit data (spec §6.1, §11.5):
 * the simulated Bluetooth devices of the local profile, tests and benchmarks.
 */
import { createWriteStream } from 'node:fs'
import { utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { DateTime } from 'luxon'
import { AWAM_FILE_TYPES, type AwamFileType, awamShareFileName } from '../../entries/bt/awam-format.js'
import type { UnitDataDocument } from '../../support/unit-data.js'
import { formatDay, formatPyTs } from '../../util/dates.js'
import { createPrng } from '../../util/prng.js'

/** One simulated Bluetooth reader with its Knack inventory fields. */
export interface AwamReader {
  /** Knack `READER_ID` (mostly lower case, e.g. `lamar_6th`; a few mixed case). */
  readonly readerId: string
  /** `SENSOR_IP`, `172.16.x.y`. */
  readonly ip: string
  /** Latitude, 7 decimals, never integral. */
  readonly lat: number
  /** Longitude, 7 decimals, never integral. */
  readonly lon: number
  /** Knack street name of the primary street, e.g. `LAMAR BLVD`. */
  readonly primarySt: string
  /** Knack street name of the cross street, e.g. `6TH ST`. */
  readonly crossSt: string
  /** Road names as the TMSR file writes them (`Lamar`, `6th`). */
  readonly road: string
  /** Cross road name as the TMSR file writes it. */
  readonly crossRoad: string
  /** `ATD_SENSOR_ID`. */
  readonly atdDeviceId: number
  /** `ATD_LOCATION_ID`, e.g. `LOC16-000585`. */
  readonly atdLocationId: string
  /** `COA_INTERSECTION_ID`. */
  readonly coaIntersectionId: number
  /** `PRIMARY_ST_SEGMENT_ID`. */
  readonly primaryStSegmentId: number
  /** `CROSS_ST_SEGMENT_ID`. */
  readonly crossStSegmentId: number
  /** `IP_COMM_STATUS` (`ONLINE` for most, `OFFLINE` for a few). */
  readonly ipCommStatus: string
}

function mix(...parts: number[]): number {
  let h = 0x811c9dc5
  for (const part of parts) h = Math.imul(h ^ (part >>> 0), 0x01000193) ^ (h >>> 13)
  return h >>> 0
}

const int = (rand: () => number, low: number, high: number): number =>
  low + Math.floor(rand() * (high - low + 1))

type Street = readonly [token: string, knackName: string, road: string]
const streets = (table: string): Street[] =>
  table
    .trim()
    .split(/\s*[|\n]\s*/)
    .map((s) => s.split(':') as unknown as Street)
/** `id token:Knack name:TMSR road name`. */
const PRIMARIES = streets(`
lamar:LAMAR BLVD:Lamar|burnet:BURNET RD:Burnet|guadalupe:GUADALUPE ST:Guadalupe
congress:CONGRESS AVE:Congress|airport:AIRPORT BLVD:Airport|manchaca:MANCHACA RD:Manchaca
51st:51ST ST:51st|anderson_mill:ANDERSON MILL RD:Anderson Mill|south_1st:1ST ST:South 1st
rundberg:RUNDBERG LN:Rundberg|cameron:CAMERON RD:Cameron
pleasant_valley:PLEASANT VALLEY RD:Pleasant Valley`)
const CROSSES = streets(`
6th:6TH ST:6th|26th:26TH ST:26th|38th:38TH ST:38th|45th:45TH ST:45th
mlk:MARTIN LUTHER KING JR BLVD:MLK|manor:MANOR RD:Manor|anderson:ANDERSON LN:Anderson
us183:RESEARCH BLVD SVRD:US 183|koenig:KOENIG LN:Koenig|braker:BRAKER LN:Braker
parmer:PARMER LN:Parmer|riverside:RIVERSIDE DR:Riverside|oltorf:OLTORF ST:Oltorf
ben_white:BEN WHITE BLVD:Ben White|william_cannon:WILLIAM CANNON DR:William Cannon
slaughter:SLAUGHTER LN:Slaughter|bethany:BETHANY LN:Bethany|springdale:SPRINGDALE RD:Springdale
11th:11TH ST:11th|barton_skyway:BARTON SKYWAY:Barton Skyway`)

const capitalize = (token: string): string => token.charAt(0).toUpperCase() + token.slice(1)

/**
 * `count` readers with unique realistic ids (`lamar_6th`, `burnet_us183`; every 12th in the mixed-case style
 * `Lamar_and_Riverside`), unique `172.16.x.y` addresses, coordinates around Austin and Knack inventory ids.
 * Deterministic for a seed.
 */
export function createAwamReaders(count: number, seed: number): AwamReader[] {
  const rand = createPrng(mix(seed, 0xb7))
  const combos = PRIMARIES.flatMap((_, p) => CROSSES.map((_, c): [number, number] => [p, c]))
  for (let i = combos.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1))
    ;[combos[i], combos[j]] = [combos[j] as [number, number], combos[i] as [number, number]]
  }
  const readers: AwamReader[] = []
  for (let i = 0; i < count; i += 1) {
    const [p, c] = combos[i % combos.length] as [number, number]
    const [pToken, pName, pRoad] = PRIMARIES[p] as Street
    const [cToken, cName, cRoad] = CROSSES[c] as Street
    const round = i >= combos.length ? `_${Math.floor(i / combos.length) + 1}` : ''
    const mixedCase = i % 12 === 11
    const name = mixedCase ? `${capitalize(pToken)}_and_${capitalize(cToken)}` : `${pToken}_${cToken}`
    const coord = (center: number, spread: number) => {
      const v = Math.round((center + (rand() - 0.5) * spread) * 1e7) / 1e7
      return Number.isInteger(v) ? v + 1e-7 : v
    }
    readers.push({
      readerId: `${name}${round}`,
      ip: `172.16.${128 + Math.floor(i / 200)}.${20 + (i % 200)}`,
      lat: coord(30.2672, 0.3),
      lon: coord(-97.7431, 0.25),
      primarySt: pName,
      crossSt: cName,
      road: pRoad,
      crossRoad: cRoad,
      atdDeviceId: 40 + i * 3 + int(rand, 0, 2),
      atdLocationId: `LOC16-${String(100 + i * 7 + int(rand, 0, 6)).padStart(6, '0')}`,
      coaIntersectionId: 5150000 + i * 37 + int(rand, 0, 36),
      primaryStSegmentId: 2010000 + i * 53 + int(rand, 0, 25),
      crossStSegmentId: 2010026 + i * 53 + int(rand, 0, 25),
      ipCommStatus: i % 17 === 16 ? 'OFFLINE' : 'ONLINE',
    })
  }
  return readers
}

/** The Bluetooth unit-data document for `readers` (what the Knack reader stores), to serialize with `stringifyPy`. */
export function createBtUnitData(
  readers: readonly AwamReader[],
  options: { collectionDate: DateTime; processingDate: DateTime },
): UnitDataDocument {
  return {
    header: {
      data_type: 'bt_unit_data',
      target_filename: `Austin_bt_${formatDay(options.collectionDate)}_unit_data.json`,
      collection_date: formatPyTs(options.collectionDate),
      processing_date: formatPyTs(options.processingDate),
    },
    devices: readers.map((r) => ({
      device_type: 'BLUETOOTH',
      atd_device_id: r.atdDeviceId,
      device_name: r.readerId,
      device_status: 'TURNED_ON',
      device_ip: r.ip,
      ip_comm_status: r.ipCommStatus,
      atd_location_id: r.atdLocationId,
      coa_intersection_id: r.coaIntersectionId,
      lat: r.lat,
      lon: r.lon,
      primary_st: r.primarySt,
      primary_st_segment_id: r.primaryStSegmentId,
      cross_st: r.crossSt,
      cross_st_segment_id: r.crossStSegmentId,
      kits_id: null,
    })),
  }
}

/** Options of {@link writeAwamDay}. */
export interface WriteAwamDayOptions {
  /** The readers that report (see {@link createAwamReaders}). */
  readonly readers: readonly AwamReader[]
  /** Seed; the same seed, readers and day give byte-identical files. */
  readonly seed: number
  /** IAF (unmatched) rows. @default 200 × readers */
  readonly iafRows?: number
  /** ITMF (matched) rows. @default 30 × readers */
  readonly itmfRows?: number
  /** Add bad rows: an unparseable time in each file (in the first IAF row), an empty IAF field time, a short row. */
  readonly anomalies?: boolean
}

/** What {@link writeAwamDay} wrote. */
export interface AwamDayFiles {
  /** Full path of each file. */
  readonly paths: Readonly<Record<AwamFileType, string>>
  /** Lines written to each file. */
  readonly rows: Readonly<Record<AwamFileType, number>>
}

type Day = { readonly m: number; readonly d: number; readonly y: number }
const DAY_SECONDS = 86_400
const HOURLY = [1, 0.6, 0.4, 0.3, 0.4, 1, 3, 6, 8, 6, 5, 5.5, 6, 6, 6, 6.5, 7.5, 8, 6, 4.5, 3.5, 3, 2.2, 1.5]
const HOURLY_TOTAL = HOURLY.reduce((a, b) => a + b, 0)
/** Opposites are neighbours: index ^ 1. */
const DIRECTIONS = ['Northbound', 'Southbound', 'Eastbound', 'Westbound'] as const
const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** Maps u in [0, 1) to a second of the day, monotonically, following the hourly traffic profile. */
function secondOfDay(u: number): number {
  let acc = 0
  for (let h = 0; h < 24; h += 1) {
    const w = (HOURLY[h] as number) / HOURLY_TOTAL
    if (u < acc + w || h === 23) return Math.min(DAY_SECONDS - 1, Math.floor((h + (u - acc) / w) * 3600))
    acc += w
  }
  return DAY_SECONDS - 1
}

/** Windows AM/PM text of second `sec` of day 1 in `days` ([previous, this, next]); `pad` = zero-padded fields. */
function awamTime(days: readonly Day[], sec: number, pad: boolean, withSeconds: boolean): string {
  const day = days[Math.max(0, Math.min(2, 1 + Math.floor(sec / DAY_SECONDS)))] as Day
  const s = ((sec % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS
  const hour = Math.floor(s / 3600)
  const h12 = hour % 12 || 12
  const clock = `${pad ? p2(h12) : h12}:${p2(Math.floor(s / 60) % 60)}${withSeconds ? `:${p2(s % 60)}` : ''}`
  const date = pad ? `${p2(day.m)}/${p2(day.d)}/${day.y}` : `${day.m}/${day.d}/${day.y}`
  return `${date} ${clock} ${hour < 12 ? 'AM' : 'PM'}`
}

/** Base64 of a colon-separated 5-octet pseudo-MAC (ends in `=`), fixed per seed and device number. */
function deviceAddress(seed: number, device: number): string {
  const rand = createPrng(mix(seed, device, 0x3ac))
  const octets = Array.from({ length: 5 }, () =>
    Math.floor(rand() * 256)
      .toString(16)
      .padStart(2, '0'),
  )
  return Buffer.from(octets.join(':').toUpperCase()).toString('base64')
}

/** A directed reader pair: ids, the TMSR road/cross/direction columns and the segment length. */
type Pair = { readonly o: string; readonly d: string; readonly head: string; readonly miles: number }

function readerPairs(readers: readonly AwamReader[], rand: () => number): Pair[] {
  const pairs: Pair[] = []
  const n = readers.length
  for (let i = 0; i < (n === 2 ? 1 : n) && n > 1; i += 1) {
    const a = readers[i] as AwamReader
    const b = readers[(i + 1) % n] as AwamReader
    const miles = Math.round((0.3 + rand() * 2.2) * 1000) / 1000
    const dir = int(rand, 0, 3)
    const side = (r: AwamReader, k: number) => `${r.road},${r.crossRoad},${DIRECTIONS[k]}`
    const head = (x: AwamReader, y: AwamReader, k: number) =>
      `${x.readerId},${y.readerId},${side(x, k)},${side(y, k ^ 1)},${miles.toFixed(3)}`
    pairs.push({ o: a.readerId, d: b.readerId, head: head(a, b, dir), miles })
    pairs.push({ o: b.readerId, d: a.readerId, head: head(b, a, dir ^ 1), miles })
  }
  return pairs
}

function* iafLines(days: Day[], o: WriteAwamDayOptions, rows: number, seed: number): Generator<string> {
  const rand = createPrng(seed)
  const pool = Math.max(20, Math.floor(rows / 6))
  const last = o.readers.length - 1
  for (let i = 0; i < rows; i += 1) {
    const host = secondOfDay((i + rand()) / rows)
    const reader = o.readers[int(rand, 0, last)] as AwamReader
    let hostText = awamTime(days, host, true, true)
    let fieldText = awamTime(days, host + int(rand, -6, 3), true, true)
    const address = deviceAddress(seed, int(rand, 0, pool - 1))
    if (o.anomalies && i === 0) hostText = `${hostText.slice(0, 11)}13${hostText.slice(13)}`
    if (o.anomalies && i === Math.floor(rows / 3)) fieldText = ''
    if (o.anomalies && i === Math.floor((2 * rows) / 3)) yield `${hostText},${reader.ip}`
    else yield `${hostText},${reader.ip},${fieldText},${reader.readerId},${address}`
  }
}

function* itmfLines(days: Day[], o: WriteAwamDayOptions, pairs: Pair[], rows: number, seed: number) {
  const rand = createPrng(seed)
  const pool = Math.max(20, Math.floor(rows / 3))
  for (let i = 0; i < rows && pairs.length > 0; i += 1) {
    const end = secondOfDay((i + rand()) / rows)
    const pair = pairs[int(rand, 0, pairs.length - 1)] as Pair
    const speed = int(rand, 4, 55)
    const tt = Math.max(1, Math.round((pair.miles * 3600) / speed))
    const address = deviceAddress(seed, int(rand, 0, pool - 1))
    let endText = awamTime(days, end, false, true)
    if (o.anomalies && i === 0) endText = endText.replace(/ \d{1,2}:/, ' 13:')
    const head = `${address},${pair.o},${pair.d},${awamTime(days, end - tt, false, true)}`
    if (o.anomalies && i === Math.floor(rows / 2)) yield head
    else
      yield `${head},${endText},${tt},${Math.round((pair.miles * 3600) / tt)},${speed < 10 ? 'in' : ''}valid,125`
  }
}

function* tmsrLines(days: Day[], o: WriteAwamDayOptions, pairs: Pair[], seed: number) {
  const rand = createPrng(seed)
  for (let k = 0; k < 96; k += 1) {
    const busy = (HOURLY[Math.floor(k / 4)] as number) / 8
    for (const [j, p] of pairs.entries()) {
      let time = awamTime(days, k * 900, false, false)
      if (o.anomalies && j === 0 && k === 10) time = time.replace(/ \d{1,2}:/, ' 25:')
      if (o.anomalies && j === 0 && k === 20) yield p.head
      else if (rand() > busy * 0.9 + 0.05) yield `${p.head},${time},-1,-1,15,0,-1`
      else {
        const samples = int(rand, 1, 12)
        const tt = Math.max(1, Math.round((p.miles * 3600) / int(rand, 12, 45)))
        const std = samples === 1 ? 0 : Math.round(rand() * tt * 0.25)
        yield `${p.head},${time},${tt},${Math.round((p.miles * 3600) / tt)},15,${samples},${std}`
      }
    }
  }
}

async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  let count = 0
  function* chunks(): Generator<string> {
    let buffer = ''
    for (const line of lines) {
      buffer += `${line}\r\n`
      count += 1
      if (buffer.length >= 65_536) {
        yield buffer
        buffer = ''
      }
    }
    if (buffer) yield buffer
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path))
  return count
}

/**
 * Writes the day's three share files into `dir` (`Austin_bt_MM-DD-YYYY.txt`, `Austin_btmatch_…`,
 * `Austin_bt_summary_15_…`) as the AWAM server does: CRLF lines, Windows AM/PM wall times of `date`'s calendar day
 * (IAF zero-padded, ITMF/TMSR not), IAF sorted by host time with field times a few seconds off (sometimes the previous
 * day), ITMF sorted by end time, TMSR = reader pairs × 96 intervals with `-1` for no data. Files are streamed
 * and get an mtime of 23:59 that day.
 */
export async function writeAwamDay(
  dir: string,
  date: DateTime,
  options: WriteAwamDayOptions,
): Promise<AwamDayFiles> {
  const days = [-1, 0, 1].map((n) => {
    const d = date.plus({ days: n })
    return { m: d.month, d: d.day, y: d.year }
  })
  const dayKey = date.year * 10_000 + date.month * 100 + date.day
  const seedOf = (index: number) => mix(options.seed, dayKey, index)
  const n = options.readers.length
  const pairs = readerPairs(options.readers, createPrng(mix(options.seed, 0x9a1)))
  const lines: Record<AwamFileType, Iterable<string>> = {
    unmatched: n > 0 ? iafLines(days, options, options.iafRows ?? 200 * n, seedOf(1)) : [],
    matched: itmfLines(days, options, pairs, options.itmfRows ?? 30 * n, seedOf(2)),
    traf_match_summary: tmsrLines(days, options, pairs, seedOf(3)),
  }
  const mtime = date.set({ hour: 23, minute: 59, second: 0, millisecond: 0 }).toJSDate()
  const paths = {} as Record<AwamFileType, string>
  const rows = {} as Record<AwamFileType, number>
  await Promise.all(
    AWAM_FILE_TYPES.map(async (fileType) => {
      const path = join(dir, awamShareFileName(fileType, date))
      paths[fileType] = path
      rows[fileType] = await writeLines(path, lines[fileType])
      await utimes(path, mtime, mtime)
    }),
  )
  return { paths, rows }
}
