/**
 * The three AWAM (Bluetooth) file types: share file names (spec §9.1), lake extensions and the raw CSV
 * layouts with their time columns (spec §9.2).
 */
import type { DateTime } from 'luxon'

/** The AWAM file types, in the order the ingest app lists their share patterns. */
export const AWAM_FILE_TYPES = ['unmatched', 'matched', 'traf_match_summary'] as const

/** One of {@link AWAM_FILE_TYPES}: IAF (`unmatched`), ITMF (`matched`), TMSR (`traf_match_summary`). */
export type AwamFileType = (typeof AWAM_FILE_TYPES)[number]

/**
 * How a time column is written: `seconds` = `%m/%d/%Y %I:%M:%S %p`, `minutes` = `%m/%d/%Y %I:%M %p`
 * (leading zeros optional in both).
 */
export type AwamTimeFormat = 'seconds' | 'minutes'

/** Everything fixed about one AWAM file type. */
export interface AwamFileFormat {
  /** The file type (also the first part of the lake extension). */
  readonly fileType: AwamFileType
  /** Short name used by the vendor: IAF, ITMF or TMSR. */
  readonly vendorName: 'IAF' | 'ITMF' | 'TMSR'
  /** Column names of the headerless CSV, in file order. */
  readonly columns: readonly string[]
  /** Columns holding a Windows AM/PM wall time. */
  readonly timeColumns: readonly string[]
  /** Format of the time columns. */
  readonly timeFormat: AwamTimeFormat
  /** `strptime` format of the time columns, as in the original. */
  readonly timeStrptime: string
  /** Share file name prefix (`Austin_bt_`, `Austin_btmatch_`, `Austin_bt_summary_15_`). */
  readonly sharePrefix: string
  /** Share file name date format (`strptime`), `%m-%d-%Y`. */
  readonly shareDateFormat: string
  /** Share file name postfix, `.txt`. */
  readonly sharePostfix: string
  /** Identifier base of the raw lake file, `Austin`. */
  readonly base: string
  /** Identifier extension of the raw lake file (`unmatched.txt`, …). */
  readonly rawExt: string
  /** Identifier extension of the standardized lake file (`unmatched.json`, …). */
  readonly jsonExt: string
}

const SECONDS = '%m/%d/%Y %I:%M:%S %p'
const MINUTES = '%m/%d/%Y %I:%M %p'

function format(
  fileType: AwamFileType,
  vendorName: AwamFileFormat['vendorName'],
  sharePrefix: string,
  columns: readonly string[],
  timeColumns: readonly string[],
  timeFormat: AwamTimeFormat,
): AwamFileFormat {
  return Object.freeze({
    fileType,
    vendorName,
    columns: Object.freeze([...columns]),
    timeColumns: Object.freeze([...timeColumns]),
    timeFormat,
    timeStrptime: timeFormat === 'seconds' ? SECONDS : MINUTES,
    sharePrefix,
    shareDateFormat: '%m-%d-%Y',
    sharePostfix: '.txt',
    base: sharePrefix.slice(0, sharePrefix.indexOf('_')),
    rawExt: `${fileType}.txt`,
    jsonExt: `${fileType}.json`,
  })
}

/** The format of each AWAM file type (spec §9.1, §9.2). */
export const AWAM_FORMATS: Readonly<Record<AwamFileType, AwamFileFormat>> = Object.freeze({
  unmatched: format(
    'unmatched',
    'IAF',
    'Austin_bt_',
    ['host_timestamp', 'ip_address', 'field_timestamp', 'reader_id', 'dev_addr'],
    ['host_timestamp', 'field_timestamp'],
    'seconds',
  ),
  matched: format(
    'matched',
    'ITMF',
    'Austin_btmatch_',
    [
      'dev_addr',
      'origin_reader_id',
      'dest_reader_id',
      'start_time',
      'end_time',
      'travel_time_secs',
      'speed',
      'match_validity',
      'filter_id',
    ],
    ['start_time', 'end_time'],
    'seconds',
  ),
  traf_match_summary: format(
    'traf_match_summary',
    'TMSR',
    'Austin_bt_summary_15_',
    [
      'origin_reader_id',
      'dest_reader_id',
      'origin_road',
      'origin_cross_st',
      'origin_dir',
      'dest_road',
      'dest_cross_st',
      'dest_dir',
      'seg_length',
      'timestamp',
      'avg_travel_time',
      'avg_speed',
      'interval',
      'samples',
      'std_dev',
    ],
    ['timestamp'],
    'minutes',
  ),
})

/** A share file name pattern of the ingest app (the original's `DateDirDef` plus the lake extension). */
export interface AwamSharePattern {
  /** The file type the pattern finds. */
  readonly fileType: AwamFileType
  /** File name pattern: prefix, `strptime` date format and postfix. */
  readonly def: { readonly prefix: string; readonly dateFormat: string; readonly postfix: string }
  /** Identifier base (`Austin`: the prefix up to its first `_`). */
  readonly base: string
  /** Identifier extension in the raw repository (`unmatched.txt`, …). */
  readonly ext: string
}

/** The ingest app's three share patterns, in the original's order (spec §9.1). */
export const AWAM_SHARE_PATTERNS: readonly AwamSharePattern[] = Object.freeze(
  AWAM_FILE_TYPES.map((fileType) => {
    const fmt = AWAM_FORMATS[fileType]
    return Object.freeze({
      fileType,
      def: Object.freeze({
        prefix: fmt.sharePrefix,
        dateFormat: fmt.shareDateFormat,
        postfix: fmt.sharePostfix,
      }),
      base: fmt.base,
      ext: fmt.rawExt,
    })
  }),
)

/** `true` when `value` is one of {@link AWAM_FILE_TYPES}. */
export function isAwamFileType(value: string): value is AwamFileType {
  return (AWAM_FILE_TYPES as readonly string[]).includes(value)
}

/**
 * The file type of a lake extension: `matched.txt` → `matched` (spec §9.2 step 1); with `layer: 'json'` the
 * standardized/ready extensions (`matched.json` → `matched`). `null` for anything else.
 */
export function fileTypeOfExt(ext: string, layer: 'raw' | 'json' = 'raw'): AwamFileType | null {
  for (const fileType of AWAM_FILE_TYPES) {
    const fmt = AWAM_FORMATS[fileType]
    if (ext === (layer === 'raw' ? fmt.rawExt : fmt.jsonExt)) return fileType
  }
  return null
}

/** The share file name of a file type for a day: `Austin_btmatch_06-01-2019.txt` (date as given, wall clock). */
export function awamShareFileName(fileType: AwamFileType, date: DateTime): string {
  const fmt = AWAM_FORMATS[fileType]
  return `${fmt.sharePrefix}${date.toFormat('MM-dd-yyyy')}${fmt.sharePostfix}`
}
