import { stat } from 'node:fs/promises'
import { DateTime } from 'luxon'
import { type DateDirDef, scanDateDir } from '../../util/date-dirs.js'
import { addDays } from '../../util/dates.js'
import type { ItemProvider, ProviderItem, ProviderWindow } from '../items.js'

/** One dated-file pattern and the identifier its files get. */
export interface FilePattern {
  /** File name pattern (prefix, strptime-style date format, postfix). */
  readonly def: DateDirDef
  /** `base` of the items built from matching files. */
  readonly base: string
  /** `ext` of the items built from matching files. */
  readonly ext: string
}

/** Settings of {@link createFileProvider}. */
export interface FileProviderOptions {
  /** Directory to scan (not recursive). */
  readonly dir: string
  /** Patterns, in the order files of the same date are listed. */
  readonly patterns: readonly FilePattern[]
  /** Period each file covers; omitted means one day (`dateEnd = null`). */
  readonly impliedDuration?: { readonly days: number } | undefined
  /** Called with the name of a file whose date another file of the same pattern already has (it is ignored). */
  readonly onDuplicate?: ((name: string) => void) | undefined
  /** Set each item's `updated` to the file's modification time (one `stat` per listed file). @default false */
  readonly withModified?: boolean | undefined
}

/** Payload of a file item. */
export interface FileItemPayload {
  /** Full path of the file. */
  readonly path: string
  /** File name within the directory. */
  readonly name: string
  /** Index of the matching pattern in `patterns`. */
  readonly patternIndex: number
}

/**
 * The provider window rule for dated things (spec §3.2): `(no start or date >= start) and
 * (no end or date < end or start == end == date)`.
 */
export function inProviderWindow(date: DateTime, window: ProviderWindow): boolean {
  const ms = date.toMillis()
  const start = window.start?.toMillis() ?? null
  const end = window.end?.toMillis() ?? null
  if (start !== null && ms < start) return false
  return end === null || ms < end || (start === end && ms === start)
}

/** A file's modification time, or `null` when it cannot be read (it vanished). */
async function modified(path: string): Promise<DateTime | null> {
  const info = await stat(path).catch(() => null)
  return info ? DateTime.fromMillis(info.mtimeMs) : null
}

/**
 * Lists the dated files of one directory (the original's `LastUpdFileProv`, spec §3.2): for each date
 * ascending, one item per pattern (in list order) that has a file for that date; `label` is the full path and,
 * with `withModified`, `updated` the file's modification time.
 * The directory is scanned once per pattern on each `list` call.
 */
export function createFileProvider(options: FileProviderOptions): ItemProvider<FileItemPayload> {
  return {
    async *list(window) {
      const found: { ms: number; patternIndex: number; date: DateTime; name: string; path: string }[] = []
      for (const [patternIndex, pattern] of options.patterns.entries()) {
        const scanned = await scanDateDir(
          options.dir,
          pattern.def,
          options.onDuplicate ? { onDuplicate: options.onDuplicate } : {},
        )
        for (const entry of scanned.entries) {
          if (!inProviderWindow(entry.date, window)) continue
          found.push({ ms: entry.date.toMillis(), patternIndex, ...entry })
        }
      }
      found.sort((a, b) => a.ms - b.ms || a.patternIndex - b.patternIndex)
      const duration = options.impliedDuration
      for (const file of found) {
        const pattern = options.patterns[file.patternIndex] as FilePattern
        const item: ProviderItem<FileItemPayload> = {
          base: pattern.base,
          ext: pattern.ext,
          date: file.date,
          dateEnd: duration ? addDays(file.date, duration.days) : null,
          payload: { path: file.path, name: file.name, patternIndex: file.patternIndex },
          label: file.path,
          updated: options.withModified ? await modified(file.path) : null,
        }
        yield item
      }
    },
  }
}
