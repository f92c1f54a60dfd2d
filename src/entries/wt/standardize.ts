import { parse } from 'csv-parse/sync'
import type { DateTime } from 'luxon'
import { InputError } from '../../support/errors.js'
import { formatPyTs, localizeWall } from '../../util/dates.js'
import { WT_RAW_COLUMNS } from './raw-csv.js'

/** `data_type` of the Wavetronix rawjson documents. */
export const WT_DATA_TYPE = 'wavetronix'

/** Header fields the app supplies (file names and dates as PyTS text). */
export interface WtStandardHeaderInput {
  readonly origin_filename: string
  readonly target_filename: string
  readonly collection_date: string
  readonly processing_date: string
}

/** One rawjson row (spec §9.6, §11.5), keys in this order. */
export interface WtStandardRow {
  detID: number
  intID: number
  /** PyTS of the naive CSV time localized to Central (`2020-09-13 00:00:00-05:00`). */
  curDateTime: string
  intName: string
  detName: string
  volume: number
  occupancy: number
  speed: number
  status: string
  uploadSuccess: number
  detCountComparison: number
  dailyCumulative: number
}

/** The rawjson document: `{"header": {...}, "data": [...]}`. */
export interface WtStandardDocument {
  readonly header: { readonly data_type: string } & WtStandardHeaderInput
  readonly data: WtStandardRow[]
}

/** The `Vehicle Counts` observation of one intersection (spec §6.2): volume sum and raw time range. */
export interface WtIntersectionCount {
  /** `intName`. */
  readonly sensorName: string
  /** Sum of `volume`. */
  readonly volume: number
  /** Smallest raw `curDateTime` text (naive `YYYY-MM-DD HH:MM:SS`). */
  readonly min: string
  /** Largest raw `curDateTime` text. */
  readonly max: string
}

/** A CSV row left out of the document because a value could not be converted. */
export interface WtSkippedRow {
  /** 1-based line number in the CSV file. */
  readonly line: number
  /** What was wrong, e.g. `volume "" is not an integer`. */
  readonly reason: string
}

/** Everything {@link standardizeWtCsv} produces. */
export interface WtStandardResult {
  readonly document: WtStandardDocument
  /** One per non-empty `intName`, in order of first appearance. */
  readonly counts: WtIntersectionCount[]
  /** Rows left out (the original crashed the run on the first such row). */
  readonly skipped: WtSkippedRow[]
}

const INT_COLUMNS = [
  'detID',
  'intID',
  'volume',
  'occupancy',
  'speed',
  'uploadSuccess',
  'detCountComparison',
  'dailyCumulative',
] as const
type IntColumn = (typeof INT_COLUMNS)[number]

const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/
/** `strptime(text, '%Y-%m-%d %H:%M:%S')`: one- or two-digit fields except the year, whitespace between date and time. */
const STRPTIME =
  /^(\d{4})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])\s+(2[0-3]|[01]\d|\d):([0-5]\d|\d):([0-5]\d|\d)$/

/** Python's `int(text)` for the forms KITS data can hold; `null` when Python would raise (or the value is unsafe). */
export function parsePyInt(text: string | undefined): number | null {
  if (text === undefined || !PY_INT.test(text)) return null
  const value = Number(text.trim().replaceAll('_', ''))
  return Number.isSafeInteger(value) ? value + 0 : null
}

/** A naive `%Y-%m-%d %H:%M:%S` text as a Central time (pytz `is_dst=False` rule, see `localizeWall`), or `null`. */
export function parseWtTime(text: string | undefined): DateTime | null {
  const m = text === undefined ? null : STRPTIME.exec(text)
  if (!m) return null
  const [, y = '', mo = '', d = '', h = '', mi = '', s = ''] = m
  try {
    return localizeWall({ year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: +s })
  } catch {
    return null
  }
}

/** The PyTS of {@link parseWtTime}, or `null`. */
export function localizeWtTime(text: string | undefined): string | null {
  const dt = parseWtTime(text)
  return dt ? formatPyTs(dt) : null
}

function convertRow(
  cells: readonly string[],
  index: ReadonlyMap<string, number>,
): { row: WtStandardRow } | { reason: string } {
  const cell = (name: string) => cells[index.get(name) as number]
  const ints = {} as Record<IntColumn, number>
  for (const column of INT_COLUMNS) {
    const value = parsePyInt(cell(column))
    if (value === null) {
      const raw = cell(column)
      return {
        reason: `${column} ${raw === undefined ? 'is missing' : `${JSON.stringify(raw)} is not an integer`}`,
      }
    }
    ints[column] = value
  }
  const curDateTime = localizeWtTime(cell('curDateTime'))
  if (curDateTime === null) {
    return { reason: `curDateTime ${JSON.stringify(cell('curDateTime') ?? null)} is not YYYY-MM-DD HH:MM:SS` }
  }
  const text = (name: string) => cell(name) ?? ''
  return {
    row: {
      detID: ints.detID,
      intID: ints.intID,
      curDateTime,
      intName: text('intName'),
      detName: text('detName'),
      volume: ints.volume,
      occupancy: ints.occupancy,
      speed: ints.speed,
      status: text('status'),
      uploadSuccess: ints.uploadSuccess,
      detCountComparison: ints.detCountComparison,
      dailyCumulative: ints.dailyCumulative,
    },
  }
}

/**
 * `wt_json_standard.py`'s conversion (spec §9.6): the raw CSV (with header row) to the rawjson document with typed
 * integers and PyTS times, plus the per-intersection `Vehicle Counts` figures. A row whose integer or time text
 * does not convert is left out and listed in `skipped` (the original aborted the whole run there); such rows do not
 * count in the observations either. A blank line is skipped, as Python's `DictReader` did.
 * @throws InputError when the CSV cannot be parsed or the header lacks a column.
 */
export function standardizeWtCsv(text: string, header: WtStandardHeaderInput): WtStandardResult {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      bom: true,
      info: true,
    }) as unknown as typeof records
  } catch (error) {
    throw new InputError(`${header.origin_filename} is not valid CSV: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const [first, ...rows] = records
  const names = first?.record ?? []
  const index = new Map<string, number>()
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i)
  })
  const missing = WT_RAW_COLUMNS.filter((name) => !index.has(name))
  if (missing.length > 0) {
    throw new InputError(`${header.origin_filename} lacks the column(s) ${missing.join(', ')}`)
  }
  const data: WtStandardRow[] = []
  const skipped: WtSkippedRow[] = []
  const counts = new Map<string, { volume: number; min: string; max: string }>()
  for (const { record, info } of rows) {
    const converted = convertRow(record, index)
    if ('reason' in converted) {
      skipped.push({ line: info.lines, reason: converted.reason })
      continue
    }
    const row = converted.row
    data.push(row)
    if (row.intName === '') continue
    const raw = record[index.get('curDateTime') as number] as string
    const entry = counts.get(row.intName)
    if (!entry) counts.set(row.intName, { volume: row.volume, min: raw, max: raw })
    else {
      entry.volume += row.volume
      if (raw < entry.min) entry.min = raw
      if (raw > entry.max) entry.max = raw
    }
  }
  return {
    document: { header: { data_type: WT_DATA_TYPE, ...header }, data },
    counts: [...counts].map(([sensorName, c]) => ({ sensorName, ...c })),
    skipped,
  }
}
