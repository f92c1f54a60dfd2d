import type { Dirent } from 'node:fs'
import { opendir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { DateTime } from 'luxon'
import { ArgumentError } from '../support/errors.js'
import { LOCAL_ZONE, localizeWall, type WallFields } from './dates.js'

/** A file-name pattern `<prefix><date in dateFormat><postfix>` (the original's `DateDirDef`). */
export interface DateDirDef {
  /** Text every matching name starts with (case-sensitive), e.g. `Austin_bt_`. */
  prefix: string
  /**
   * Python strptime-style format of the middle part: `%Y` (4 digits), `%m`, `%d`, `%H`, `%M`, `%S` (1 or 2 digits),
   * `%%`; other characters are literal (matched case-insensitively, whitespace as one or more blanks).
   */
  dateFormat: string
  /** Text every matching name ends with (case-sensitive), e.g. `.txt`. */
  postfix: string
  /** Match directories instead of files. Default false. */
  findDirs?: boolean
}

/** One dated file (or directory) found by {@link scanDateDir}. */
export interface DateDirEntry {
  /** The date parsed from the name: a Central wall time (midnight for date-only formats). */
  date: DateTime
  /** The bare entry name. */
  name: string
  /** `dir` joined with `name`. */
  path: string
}

/** Options of {@link DateDir.resolveFile}. */
export interface ResolveFileOptions {
  /** Return the entry just before the date's insertion point (see the quirk on {@link DateDir.resolveFile}). */
  mostRecent?: boolean
  /** Without an exact match, return the next later entry. */
  nextFuture?: boolean
  /** Return the full path instead of the bare name. */
  fullPath?: boolean
}

/** Options of {@link DateDir.getFileRange}. */
export interface FileRangeOptions {
  /** Include entries exactly at `early` and at `late`. Default true. */
  inclusive?: boolean
  /** Return full paths instead of bare names. */
  fullPath?: boolean
}

/** The dated entries of one directory, sorted by date (the original's `DateDir`). */
export interface DateDir {
  /** The scanned directory. */
  readonly dir: string
  /** Entries sorted by ascending date; at most one per date. */
  readonly entries: readonly DateDirEntry[]
  /** All dates, ascending. */
  getDates(): DateTime[]
  /** The latest date, or null when nothing matched. */
  getMostRecentDate(): DateTime | null
  /**
   * The entry whose date equals `date` (instant equality), or null. `nextFuture`: without an exact match, the next
   * later entry. `mostRecent`: the entry just before the insertion point of `date` — quirk kept from the original:
   * this wins even over an exact match (an exact match at `date` yields the entry *before* it), except when the
   * exact match is the first entry, which is then returned. Both flags at once → null.
   */
  resolveFile(date: DateTime, options?: ResolveFileOptions): string | null
  /**
   * Entries with `early <= date <= late` (or `<`, `>` when not inclusive); a null bound is open. Both bounds null
   * returns every entry (the original returned `[]` there).
   */
  getFileRange(early: DateTime | null, late: DateTime | null, options?: FileRangeOptions): string[]
}

/** Options of {@link scanDateDir}. */
export interface ScanDateDirOptions {
  /** Zone of the wall times in names; default {@link LOCAL_ZONE}. */
  zone?: string
  /** Called with the name of every later entry whose date is already taken. */
  onDuplicate?: (name: string) => void
}

const DIRECTIVES: Readonly<Record<string, { re: string; field: keyof WallFields }>> = {
  Y: { re: '(\\d{4})', field: 'year' },
  m: { re: '(1[0-2]|0[1-9]|[1-9])', field: 'month' },
  d: { re: '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])', field: 'day' },
  H: { re: '(2[0-3]|[0-1]\\d|\\d)', field: 'hour' },
  M: { re: '([0-5]\\d|\\d)', field: 'minute' },
  S: { re: '(6[0-1]|[0-5]\\d|\\d)', field: 'second' },
}

/**
 * Compiles a strptime-style format into a strict parser of the whole text; missing calendar fields default to
 * 1900-01-01 as in Python. The parser returns null when the text does not match; impossible dates (30 February)
 * pass here and are dropped by {@link scanDateDir}.
 * @throws ArgumentError for an unsupported or repeated directive.
 */
export function compileDateFormat(format: string): (text: string) => WallFields | null {
  const fields: (keyof WallFields)[] = []
  let source = ''
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] ?? ''
    if (ch === '%') {
      const code = format[++i] ?? ''
      const directive = DIRECTIVES[code]
      if (code === '%') source += '%'
      else if (!directive || fields.includes(directive.field)) {
        throw new ArgumentError(
          `Unsupported or repeated directive %${code} in date format ${JSON.stringify(format)}`,
        )
      } else {
        source += directive.re
        fields.push(directive.field)
      }
    } else if (/\s/.test(ch)) {
      if (!source.endsWith('\\s+')) source += '\\s+'
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
    }
  }
  const re = new RegExp(`^${source}$`, 'i')
  return (text) => {
    const m = re.exec(text)
    if (!m) return null
    const parsed: WallFields = { year: 1900, month: 1, day: 1 }
    fields.forEach((field, index) => {
      parsed[field] = Number(m[index + 1])
    })
    return parsed
  }
}

function bisectLeft(entries: readonly DateDirEntry[], ts: number): number {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((entries[mid]?.date.toMillis() ?? 0) < ts) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Builds a {@link DateDir} over already-found entries (any order; sorted here by date). */
export function createDateDir(dir: string, found: readonly DateDirEntry[]): DateDir {
  const entries = [...found].sort((a, b) => a.date.toMillis() - b.date.toMillis())
  const pick = (entry: DateDirEntry | undefined, fullPath?: boolean): string | null =>
    entry ? (fullPath ? entry.path : entry.name) : null
  return {
    dir,
    entries,
    getDates: () => entries.map((e) => e.date),
    getMostRecentDate: () => entries.at(-1)?.date ?? null,
    resolveFile(date, options = {}) {
      if (options.mostRecent && options.nextFuture) return null
      const ts = date.toMillis()
      const index = bisectLeft(entries, ts)
      const atIndex = entries[index]
      let found = atIndex && (atIndex.date.toMillis() === ts || options.nextFuture) ? atIndex : undefined
      if (options.mostRecent && index > 0) found = entries[index - 1]
      return pick(found, options.fullPath)
    },
    getFileRange(early, late, options = {}) {
      const inclusive = options.inclusive ?? true
      const lowTs = early?.toMillis()
      const highTs = late?.toMillis()
      return entries
        .filter((e) => {
          const ts = e.date.toMillis()
          if (lowTs !== undefined && (inclusive ? ts < lowTs : ts <= lowTs)) return false
          return highTs === undefined || (inclusive ? ts <= highTs : ts < highTs)
        })
        .map((e) => (options.fullPath ? e.path : e.name))
    },
  }
}

async function kindMatches(dir: string, entry: Dirent, findDirs: boolean): Promise<boolean> {
  if (!entry.isSymbolicLink()) return findDirs ? entry.isDirectory() : entry.isFile()
  try {
    const target = await stat(join(dir, entry.name))
    return findDirs ? target.isDirectory() : target.isFile()
  } catch {
    return false
  }
}

/**
 * Scans `dir` once for names `<prefix><date><postfix>` (files, or directories when `findDirs`; symbolic links are
 * followed). Names whose middle part does not parse are ignored silently. When several names give the same date,
 * the first in sorted name order wins and the others are reported to `onDuplicate`.
 * @throws ArgumentError for an unsupported date format; the file system's error when `dir` cannot be read.
 */
export async function scanDateDir(
  dir: string,
  def: DateDirDef,
  options: ScanDateDirOptions = {},
): Promise<DateDir> {
  const parse = compileDateFormat(def.dateFormat)
  const zone = options.zone ?? LOCAL_ZONE
  const candidates: { name: string; fields: WallFields }[] = []
  for await (const entry of await opendir(dir)) {
    const { name } = entry
    if (!name.startsWith(def.prefix) || !name.endsWith(def.postfix)) continue
    if (name.length < def.prefix.length + def.postfix.length) continue
    const fields = parse(name.slice(def.prefix.length, name.length - def.postfix.length))
    if (fields && (await kindMatches(dir, entry, def.findDirs ?? false))) candidates.push({ name, fields })
  }
  candidates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const seen = new Set<number>()
  const found: DateDirEntry[] = []
  for (const { name, fields } of candidates) {
    let date: DateTime
    try {
      date = localizeWall(fields, zone)
    } catch {
      continue
    }
    if (seen.has(date.toMillis())) options.onDuplicate?.(name)
    else {
      seen.add(date.toMillis())
      found.push({ date, name, path: join(dir, name) })
    }
  }
  return createDateDir(dir, found)
}
