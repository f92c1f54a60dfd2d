import type { Readable } from 'node:stream'
import yauzl from 'yauzl'
import { InputError } from '../../support/errors.js'

/** Bounds on what one counts archive may hold (nested archives included). */
export interface ZipLimits {
  /** Maximum number of entries, over the outer archive and every inner one. */
  readonly maxEntries: number
  /** Maximum uncompressed bytes read into memory, over every entry read. */
  readonly maxTotalBytes: number
}

/** Defaults of {@link ZipLimits}: far above a real camera day (16 zones × a few MB). */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 5_000, maxTotalBytes: 512 * 1024 * 1024 }

/** One detection zone's CSV. */
export interface ZoneCsv {
  /** The zone GUID, dashed (`2c6dff02-cb0c-4da0-adc5-28dd1946df40`); the only part of the name that is used. */
  readonly guid: string
  /** The entry name as found (for messages only). */
  readonly entryName: string
  readonly data: Buffer
}

/** The count files of one camera (one MAC address directory). */
export interface CameraCounts {
  /** The MAC directory name. */
  readonly mac: string
  /** `A`: `<mac>/<day>/<guid>.csv`; `B`: `<mac>/<day>.zip` holding the CSVs at its root (spec §11.3). */
  readonly layout: 'A' | 'B'
  /** Zone files, ordered by GUID. */
  readonly files: readonly ZoneCsv[]
}

/** What a counts archive holds. */
export interface CountsZip {
  readonly cameras: readonly CameraCounts[]
  /** Entries or inner archives that were ignored, one sentence each. */
  readonly problems: readonly string[]
}

/** Options of {@link readCountsZip}. */
export interface ReadCountsZipOptions {
  /** Overrides of {@link DEFAULT_ZIP_LIMITS}. */
  readonly limits?: Partial<ZipLimits>
  /** Name used in messages (the raw file name). */
  readonly label?: string
  /** Preferred day directory (`YYYY-MM-DD`) in layout A; otherwise the first one in name order. */
  readonly day?: string
}

const MAC_DIR = /^..-..-..-..-..-../
const GUID = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const CONTROL = /[\u0000-\u001f\u007f]/

interface Budget {
  entries: number
  bytes: number
  readonly limits: ZipLimits
}

interface Entry {
  readonly segments: readonly string[]
  readonly name: string
  readonly data: Buffer
}

/**
 * Reads a GRIDSMART counts archive (a file path or bytes) into memory, safely: entry names are untrusted (an
 * absolute name or one with `..` is ignored and reported; only a file name's GUID is kept; nothing is ever
 * extracted to a path), the entry count and the uncompressed bytes are bounded, nested archives (layout B) are read
 * from memory within the same bounds.
 * @throws InputError when the archive is corrupt, exceeds a limit or holds no camera (MAC) directory.
 */
export async function readCountsZip(
  source: string | Buffer,
  options: ReadCountsZipOptions = {},
): Promise<CountsZip> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...options.limits }
  const label = options.label ?? (typeof source === 'string' ? source : 'archive')
  const budget: Budget = { entries: limits.maxEntries, bytes: limits.maxTotalBytes, limits }
  const problems: string[] = []
  const wanted = (s: readonly string[]) =>
    MAC_DIR.test(s[0] ?? '') &&
    ((s.length === 3 && /\.csv$/i.test(s[2] ?? '')) || (s.length === 2 && /\.zip$/i.test(s[1] ?? '')))
  const entries = await readEntries(source, label, budget, wanted, problems)
  const macs = [...new Set(entries.map((e) => e.segments[0] as string))].sort()
  const cameras: CameraCounts[] = []
  for (const mac of macs) {
    const mine = entries.filter((e) => e.segments[0] === mac)
    const csvs = mine.filter((e) => e.segments.length === 3)
    if (csvs.length > 0) {
      const days = [...new Set(csvs.map((e) => e.segments[1] as string))].sort()
      const day = options.day && days.includes(options.day) ? options.day : (days[0] as string)
      for (const other of days.filter((d) => d !== day))
        problems.push(`${label}: directory "${mac}/${other}" ignored (only "${mac}/${day}" is read).`)
      const files = zoneFiles(
        csvs.filter((e) => e.segments[1] === day),
        (e) => e.segments[2] as string,
        label,
        problems,
      )
      cameras.push({ mac, layout: 'A', files })
      continue
    }
    const inner = mine.filter((e) => e.segments.length === 2).sort((a, b) => cmp(a.name, b.name))[0]
    if (!inner) continue
    try {
      const innerLabel = `${label}!${inner.name}`
      const rootCsv = (s: readonly string[]) => s.length === 1 && /\.csv$/i.test(s[0] ?? '')
      const found = await readEntries(inner.data, innerLabel, budget, rootCsv, problems)
      const files = zoneFiles(found, (e) => e.segments[0] as string, innerLabel, problems)
      cameras.push({ mac, layout: 'B', files })
    } catch (error) {
      if (error instanceof InputError && /limit/.test(error.message)) throw error
      problems.push(
        `${label}: inner archive "${inner.name}" is unreadable and was skipped: ${messageOf(error)}`,
      )
    }
  }
  if (cameras.length === 0) {
    throw new InputError(`${label}: no camera (MAC address) directory with count files found in the archive.`)
  }
  return { cameras, problems }
}

/** The dashed GUID of a zone file name (`<guid>.csv`, dashes optional), or `null` when it is not one. */
export function guidOfFileName(fileName: string): string | null {
  const match = GUID.exec(fileName.replace(/\.csv$/i, ''))
  return match ? match.slice(1, 6).join('-').toLowerCase() : null
}

function zoneFiles(
  entries: readonly Entry[],
  fileName: (e: Entry) => string,
  label: string,
  problems: string[],
): ZoneCsv[] {
  const files = new Map<string, ZoneCsv>()
  for (const entry of entries) {
    const guid = guidOfFileName(fileName(entry))
    if (!guid) problems.push(`${label}: "${entry.name}" is not named <GUID>.csv and was ignored.`)
    else if (files.has(guid)) problems.push(`${label}: "${entry.name}" repeats zone ${guid} and was ignored.`)
    else files.set(guid, { guid, entryName: entry.name, data: entry.data })
  }
  return [...files.values()].sort((a, b) => cmp(a.guid, b.guid))
}

/** Splits an untrusted entry name; `null` when it is absolute, climbs (`..`) or holds control characters. */
export function safeSegments(name: string): string[] | null {
  const normal = name.replaceAll('\\', '/')
  if (normal.startsWith('/') || /^[a-z]:/i.test(normal) || CONTROL.test(normal)) return null
  const segments = normal.split('/')
  if (segments.at(-1) === '') segments.pop()
  if (segments.length === 0 || segments.some((s) => s === '' || s === '.' || s === '..')) return null
  return segments
}

function decodeName(raw: Buffer | string, flags: number): string {
  if (typeof raw === 'string') return raw
  return raw.toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1')
}

function openZip(source: string | Buffer): Promise<yauzl.ZipFile> {
  const options: yauzl.Options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: yauzl.ZipFile) => (err || !zip ? reject(err) : resolve(zip))
    if (typeof source === 'string') yauzl.open(source, { ...options, autoClose: true }, done)
    else yauzl.fromBuffer(source, options, done)
  })
}

async function readStream(stream: Readable, budget: Budget, label: string, name: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) {
    const buf = chunk as Buffer
    budget.bytes -= buf.length
    if (budget.bytes < 0) {
      stream.destroy()
      throw overLimit(label, `more than ${budget.limits.maxTotalBytes} uncompressed bytes (at "${name}")`)
    }
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

function overLimit(label: string, what: string): InputError {
  return new InputError(`${label}: the archive exceeds the size limit: ${what}; refused.`)
}

async function readEntries(
  source: string | Buffer,
  label: string,
  budget: Budget,
  wanted: (segments: readonly string[]) => boolean,
  problems: string[],
): Promise<Entry[]> {
  let zip: yauzl.ZipFile
  try {
    zip = await openZip(source)
  } catch (error) {
    throw new InputError(`${label}: not a readable ZIP archive (${messageOf(error)}).`, { cause: error })
  }
  if (zip.entryCount > budget.entries) {
    zip.close()
    throw overLimit(label, `${zip.entryCount} entries (limit ${budget.limits.maxEntries})`)
  }
  budget.entries -= zip.entryCount
  const out: Entry[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject)
      zip.on('end', () => resolve())
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = decodeName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag)
        const segments = safeSegments(name)
        if (!segments) {
          problems.push(`${label}: unsafe entry name ${JSON.stringify(name)} ignored.`)
          zip.readEntry()
          return
        }
        if (name.endsWith('/') || !wanted(segments)) {
          zip.readEntry()
          return
        }
        if (entry.isEncrypted()) {
          problems.push(`${label}: encrypted entry "${name}" ignored.`)
          zip.readEntry()
          return
        }
        if (entry.uncompressedSize > budget.bytes) {
          reject(overLimit(label, `"${name}" declares ${entry.uncompressedSize} bytes`))
          return
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) {
            reject(err ?? new Error(`cannot open "${name}"`))
            return
          }
          readStream(stream, budget, label, name).then((data) => {
            out.push({ segments, name, data })
            zip.readEntry()
          }, reject)
        })
      })
      zip.readEntry()
    })
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`${label}: corrupt ZIP archive (${messageOf(error)}).`, { cause: error })
  } finally {
    zip.close()
  }
  return out
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
