/**
 * Bluetooth standardize conversion (spec §9.2): one raw AWAM file (headerless CSV) → the rawjson document
 * `{"header": {...}, "data": [rows]}` in Python's JSON formatting, streamed row by row.
 */
import type { Readable } from 'node:stream'
import { CsvError } from 'csv-parse'
import { createWallTimeParser, formatPyTs, parseAwamMinute, parseAwamTime } from '../../util/dates.js'
import { pyStr, stringifyPy } from '../../util/py-json.js'
import { AWAM_FORMATS, type AwamFileFormat, type AwamFileType } from './awam-format.js'
import { createAwamRecordSplitter } from './awam-records.js'

/**
 * One standardized row: every column as a string (`""` for an empty field), time columns as PyTS text or
 * `null` when unparseable, `null` for missing trailing columns, and — like Python's `csv.DictReader` — any
 * extra fields as a list under the key `"null"` (the original's `None` key, which Python writes as `"null"`).
 */
export type AwamRow = Record<string, string | null | string[]>

/** The key under which extra fields of a too-long row are stored (Python's `None` key). */
export const EXTRA_FIELDS_KEY = 'null'

/** The `header` of a standardized Bluetooth document, in the original's key order. */
export interface AwamDocumentHeader {
  /** Always `bluetooth`. */
  readonly data_type: 'bluetooth'
  /** The AWAM file type. */
  readonly file_type: AwamFileType
  /** Name of the raw file as downloaded, e.g. `Austin_bt_2019-06-01_unmatched.txt`. */
  readonly origin_filename: string
  /** Name of the JSON file, e.g. `Austin_bt_2019-06-01_unmatched.json`. */
  readonly target_filename: string
  /** PyTS of the data day. */
  readonly collection_date: string
  /** PyTS of the processing time. */
  readonly processing_date: string
}

/** Options of {@link standardizeAwam}. */
export interface StandardizeAwamOptions {
  /** Which of the three layouts the input has. */
  readonly fileType: AwamFileType
  /** Header values supplied by the app (`data_type` and `file_type` are added here). */
  readonly header: {
    /** Raw file name as downloaded. */
    readonly origin_filename: string
    /** JSON file name. */
    readonly target_filename: string
    /** PyTS of the data day. */
    readonly collection_date: string
    /** PyTS of the processing time. */
    readonly processing_date: string
  }
  /** Called with a message when a CSV error stops reading early. Default: ignore. */
  readonly onWarning?: (message: string) => void
  /** Called with every converted row, in file order (e.g. to feed {@link collectUnmatchedStats}). */
  readonly onRow?: (row: AwamRow) => void
}

/** Counters of one conversion. */
export interface StandardizeAwamStats {
  /** Rows written to `data`. */
  readonly rows: number
  /** Time cells written as `null` (unparseable, empty or missing). */
  readonly badTimes: number
  /** For `unmatched` files, the per-reader observations ({@link collectUnmatchedStats}); otherwise empty. */
  readonly readers: readonly UnmatchedReaderStats[]
}

/** The streamed conversion. */
export interface StandardizeAwamResult {
  /** The document text in pieces (single use). Concatenated, it is what Python's `json.dump` wrote. */
  readonly chunks: AsyncIterable<string>
  /** Counters so far; final once `chunks` is exhausted. */
  stats(): StandardizeAwamStats
}

const CHUNK_SIZE = 64 * 1024
const TIME_CACHE_LIMIT = 4096

function timeParser(fmt: AwamFileFormat): (text: string) => string | null {
  const parseText = fmt.timeFormat === 'seconds' ? parseAwamTime : parseAwamMinute
  return (text) => {
    const parsed = parseText(text)
    return parsed ? formatPyTs(parsed) : null
  }
}

function convert(
  fmt: AwamFileFormat,
  fields: readonly string[],
  toPyTs: (text: string) => string | null,
): AwamRow {
  const row: AwamRow = {}
  const { columns } = fmt
  for (let i = 0; i < columns.length; i += 1) {
    row[columns[i] as string] = fields[i] ?? null
  }
  if (fields.length > columns.length) row[EXTRA_FIELDS_KEY] = fields.slice(columns.length)
  for (const column of fmt.timeColumns) {
    const text = row[column]
    row[column] = typeof text === 'string' ? toPyTs(text) : null
  }
  return row
}

/**
 * A serialiser of one file type's rows, byte-identical to `stringifyPy(row)` (Python's `json.dumps`): the column
 * keys are written once, string values go through `pyStr`, other values (the extra-fields list) through
 * `stringifyPy`.
 */
function createRowWriter(fmt: AwamFileFormat): (row: AwamRow) => string {
  const prefixes = new Map<string, string>()
  const prefix = (key: string) => {
    let known = prefixes.get(key)
    if (known === undefined) {
      known = `${pyStr(key)}: `
      prefixes.set(key, known)
    }
    return known
  }
  for (const column of fmt.columns) prefix(column)
  return (row) => {
    let out = '{'
    let first = true
    for (const key in row) {
      const value = row[key]
      if (value === undefined) continue
      out += first ? prefix(key) : `, ${prefix(key)}`
      first = false
      out += value === null ? 'null' : typeof value === 'string' ? pyStr(value) : stringifyPy(value)
    }
    return `${out}}`
  }
}

/**
 * Converts one CSV record (already split into fields) of the given file type to its standardized row.
 * Pure; the streaming conversion uses the same rules.
 */
export function standardizeAwamRow(fileType: AwamFileType, fields: readonly string[]): AwamRow {
  const fmt = AWAM_FORMATS[fileType]
  return convert(fmt, fields, timeParser(fmt))
}

function cachedTimeParser(fmt: AwamFileFormat): (text: string) => string | null {
  const parser = createWallTimeParser(fmt.timeFormat === 'seconds' ? 'M/d/yyyy h:mm:ss a' : 'M/d/yyyy h:mm a')
  const cache = new Map<string, string | null>()
  return (text) => {
    const hit = cache.get(text)
    if (hit !== undefined) return hit
    const value = parser.toPyTs(text)
    if (cache.size >= TIME_CACHE_LIMIT) cache.clear()
    cache.set(text, value)
    return value
  }
}

/**
 * Streams the standardized document of one raw AWAM file (spec §9.2). The input is read as headerless CSV
 * (Python `csv` dialect: `,` separator, `"` quotes, any of CRLF/LF/CR line ends, blank lines skipped, ragged
 * rows allowed). A CSV error (e.g. an unclosed quote at the end of the file, or a record longer than 131072
 * characters) stops reading: the rows read so far are kept, `onWarning` is told, the document is still
 * complete JSON. The function takes ownership of `input` and destroys it when it stops early.
 * Errors of the input stream itself (I/O) are thrown from the iteration.
 */
export function standardizeAwam(input: Readable, options: StandardizeAwamOptions): StandardizeAwamResult {
  const fmt = AWAM_FORMATS[options.fileType]
  const timeColumns = fmt.timeColumns
  let rows = 0
  let badTimes = 0
  const readerStats = options.fileType === 'unmatched' ? collectUnmatchedStats() : null
  const header: AwamDocumentHeader = {
    data_type: 'bluetooth',
    file_type: options.fileType,
    origin_filename: options.header.origin_filename,
    target_filename: options.header.target_filename,
    collection_date: options.header.collection_date,
    processing_date: options.header.processing_date,
  }

  async function* generate(): AsyncGenerator<string> {
    const toPyTs = cachedTimeParser(fmt)
    const rowJson = createRowWriter(fmt)
    const records: string[][] = []
    const splitter = createAwamRecordSplitter(records)
    let buffer = ''
    const drain = () => {
      for (const fields of records) {
        const row = convert(fmt, fields, toPyTs)
        for (const column of timeColumns) if (row[column] === null) badTimes += 1
        readerStats?.add(row)
        options.onRow?.(row)
        buffer += rows === 0 ? rowJson(row) : `, ${rowJson(row)}`
        rows += 1
      }
      records.length = 0
    }
    let failure: Error | null = null
    try {
      yield `{"header": ${stringifyPy(header)}, "data": [`
      for await (const chunk of input) {
        failure = await splitter.write(chunk as Buffer)
        drain()
        if (failure) break
        if (buffer.length >= CHUNK_SIZE) {
          yield buffer
          buffer = ''
        }
      }
      if (!failure) failure = await splitter.end()
      drain()
    } finally {
      splitter.destroy()
      if (!input.readableEnded) input.destroy()
    }
    if (failure && !(failure instanceof CsvError)) throw failure
    if (failure) {
      options.onWarning?.(
        `CSV parse error in ${options.header.origin_filename}: ${failure.message}; keeping the ${rows} rows read so far`,
      )
    }
    yield `${buffer}]}`
  }

  return {
    chunks: { [Symbol.asyncIterator]: generate },
    stats: () => ({ rows, badTimes, readers: readerStats ? readerStats.results() : [] }),
  }
}

/** Per-reader observation of an `unmatched` file (spec §6.2 `Unmatched Entries`). */
export interface UnmatchedReaderStats {
  /** The reader id. */
  readonly sensorName: string
  /** Number of rows of that reader (rows with a `null` host time included). */
  readonly count: number
  /** Smallest `host_timestamp` text (string order), or `null` when the reader has none. */
  readonly min: string | null
  /** Largest `host_timestamp` text (string order), or `null` when the reader has none. */
  readonly max: string | null
}

/** Accumulator of {@link UnmatchedReaderStats}. */
export interface UnmatchedStatsCollector {
  /** Adds one standardized `unmatched` row; rows without a non-empty `reader_id` are ignored. */
  add(row: AwamRow): void
  /** The readers in order of first appearance. */
  results(): UnmatchedReaderStats[]
}

/**
 * Collects the standardize stage's per-reader observations for an `unmatched` file: for every non-empty
 * `reader_id`, the row count and the true minimum and maximum of the non-null `host_timestamp` strings
 * (string comparison). Null timestamps are skipped instead of crashing (the original raised `TypeError`
 * when a reader's first timestamp was null, spec §10 item 17). The original's "update max only when min was
 * not updated" cannot change the result: min ≤ max always holds, so a value below min is never above max.
 */
export function collectUnmatchedStats(): UnmatchedStatsCollector {
  const readers = new Map<string, { count: number; min: string | null; max: string | null }>()
  return {
    add(row) {
      const readerId = row.reader_id
      if (typeof readerId !== 'string' || readerId === '') return
      let entry = readers.get(readerId)
      if (!entry) {
        entry = { count: 0, min: null, max: null }
        readers.set(readerId, entry)
      }
      entry.count += 1
      const ts = row.host_timestamp
      if (typeof ts !== 'string') return
      if (entry.min === null || ts < entry.min) entry.min = ts
      if (entry.max === null || ts > entry.max) entry.max = ts
    },
    results() {
      return [...readers].map(([sensorName, e]) => ({ sensorName, count: e.count, min: e.min, max: e.max }))
    },
  }
}
