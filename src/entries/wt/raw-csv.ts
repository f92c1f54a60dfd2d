import type { KitsRecord } from '../../drivers/devices/kits/types.js'
import { formatPyTs } from '../../util/dates.js'

/** Header of the Wavetronix raw CSV (spec §9.5, §11.2), in column order. */
export const WT_RAW_COLUMNS = [
  'detID',
  'intID',
  'curDateTime',
  'intName',
  'detName',
  'volume',
  'occupancy',
  'speed',
  'status',
  'uploadSuccess',
  'detCountComparison',
  'dailyCumulative',
] as const

/** One CSV cell value: text, an integer, or `null` (written as an empty cell, as Python's `csv` writes `None`). */
export type CsvCell = string | number | null

const NEEDS_QUOTES = /[",\r\n]/

/** A cell as Python's `csv.writer` writes it (`QUOTE_MINIMAL`: quoted only when it holds `,`, `"`, CR or LF). */
export function formatCsvCell(value: CsvCell): string {
  if (value === null) return ''
  const text = String(value)
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV line with its `\r\n` terminator (Python's default `lineterminator`). */
export function formatCsvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(formatCsvCell).join(',')}\r\n`
}

/** The cells of one record in {@link WT_RAW_COLUMNS} order; `curDateTime` as its own Central wall clock. */
export function wtRawCells(record: KitsRecord): CsvCell[] {
  return [
    record.detID,
    record.intID,
    formatPyTs(record.curDateTime).slice(0, 19),
    record.intName,
    record.detName,
    record.volume,
    record.occupancy,
    record.speed,
    record.status,
    record.uploadSuccess,
    record.detCountComparison,
    record.dailyCumulative,
  ]
}

/**
 * The raw CSV text `wt_insert_lake.py` wrote for one day: the header row, then one line per record in the order
 * given, `\r\n` line ends, minimal quoting, `curDateTime` as `YYYY-MM-DD HH:MM:SS` local wall time.
 */
export function formatWtRawCsv(records: Iterable<KitsRecord>): string {
  const lines = [formatCsvLine(WT_RAW_COLUMNS)]
  for (const record of records) lines.push(formatCsvLine(wtRawCells(record)))
  return lines.join('')
}
