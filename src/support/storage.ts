import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { DateTime } from 'luxon'
import { formatDay } from '../util/dates.js'
import { normalizeKey, normalizePrefix } from '../util/keys.js'
import { parsePyJson, stringifyPy } from '../util/py-json.js'
import type { Catalog } from './catalog.js'
import type { CatalogEntry } from './catalog-driver.js'
import { DriverError, EtlError, NotFoundError } from './errors.js'
import type { Logger } from './logger.js'
import type { StorageDriver } from './storage-driver.js'

export type { ObjectInfo, StorageDriver } from './storage-driver.js'

/** A body the facade can write: bytes, a string, a stream or an async iterable of chunks. */
export type WritableBody = Uint8Array | string | Readable | AsyncIterable<string | Uint8Array>

/** Options of {@link Storage}. */
export interface StorageOptions {
  readonly driver: StorageDriver
  /** Repository (bucket) name; also the catalog `repository` value. */
  readonly repository: string
  /** Two-letter data-source code. */
  readonly dataSource: string
  /** Catalog receiving a row for every write; `null` writes files only. */
  readonly catalog: Catalog | null
  /** Where `retrieveFilePath` downloads to. */
  readonly tempDir: string | null
  /** `-0/--simulate`: write nothing to the repository or the catalog. */
  readonly simulate: boolean
  /** `-o/--output_filepath`: also write every file, flat, into this local directory. */
  readonly outputPath: string | null
  readonly logger: Logger
}

/** Options of a write. */
export interface WriteOptions {
  /** Stage the catalog row (flushed at the next date change or the end of the loop) instead of upserting now. */
  readonly stage?: boolean
}

/** Optional fields of a new catalog entry. */
export interface EntryExtras {
  readonly processingDate?: DateTime | null
  readonly collectionEnd?: DateTime | null
  readonly metadata?: unknown
}

/**
 * The storage facade (spec §5): the lake's file names and `YYYY/MM/DD/<ds>/` keys, key validation, the catalog row
 * that follows every write (files first, then rows), `-o` local copies and the `-0` simulation matrix.
 */
export class Storage {
  readonly repository: string
  readonly dataSource: string
  readonly catalog: Catalog | null
  readonly #options: StorageOptions

  constructor(options: StorageOptions) {
    this.repository = options.repository
    this.dataSource = options.dataSource
    this.catalog = options.catalog
    this.#options = options
  }

  /** `<base>_<ds>_<YYYY-MM-DD><sep><ext>`, `sep` being `_` when `ext` contains a dot, else `.`. */
  makeFilename(base: string, ext: string, collectionDate: DateTime): string {
    const sep = ext.includes('.') ? '_' : '.'
    return `${base}_${this.dataSource}_${formatDay(collectionDate)}${sep}${ext}`
  }

  /** `YYYY/MM/DD/<ds>/<filename>` from the date's own calendar fields; validated. */
  makePath(base: string, ext: string, collectionDate: DateTime, filename?: string): string {
    const name = filename ?? this.makeFilename(base, ext, collectionDate)
    return normalizeKey(`${collectionDate.toFormat('yyyy/MM/dd')}/${this.dataSource}/${name}`)
  }

  /** The catalog entry for an item of this repository; the pointer is always recomputed. */
  createCatalogEntry(
    base: string,
    ext: string,
    collectionDate: DateTime,
    extras: EntryExtras = {},
  ): CatalogEntry {
    return {
      repository: this.repository,
      dataSource: this.dataSource,
      idBase: base,
      idExt: ext,
      pointer: this.makePath(base, ext, collectionDate),
      collectionDate,
      collectionEnd: extras.collectionEnd ?? null,
      processingDate: extras.processingDate ?? null,
      metadata: extras.metadata ?? null,
    }
  }

  /** The catalog row of an identifier in this repository, or `null`. */
  async catalogLookup(base: string, ext: string, collectionDate: DateTime): Promise<CatalogEntry | null> {
    return this.catalog ? this.catalog.querySingle(this.repository, base, ext, collectionDate) : null
  }

  /** A read stream of an object; {@link NotFoundError} when it is missing. */
  async openRead(key: string): Promise<Readable> {
    const checked = normalizeKey(key)
    const stream = await this.#wrap('read', checked, () => this.#options.driver.get(checked))
    if (!stream) throw new NotFoundError(`No object "${checked}" in repository "${this.repository}".`)
    return stream
  }

  /** Downloads an object into `destDir` (default: the run's temp dir) under its own file name; returns the path. */
  async retrieveFilePath(key: string, destDir?: string): Promise<string> {
    const dir = destDir ?? this.#options.tempDir
    if (!dir)
      throw new EtlError('E_STORAGE', 'retrieveFilePath needs a destination: the app has no temp dir.')
    const target = join(dir, basename(key))
    const source = await this.openRead(key)
    await this.#wrap('download', key, () => pipeline(source, createWriteStream(target)))
    return target
  }

  /** The whole object in memory (small objects only). */
  async retrieveBuffer(key: string): Promise<Buffer> {
    const source = await this.openRead(key)
    const chunks: Buffer[] = []
    await this.#wrap('read', key, async () => {
      for await (const chunk of source) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
    })
    return Buffer.concat(chunks)
  }

  /** Reads a JSON document, accepting the `NaN`/`Infinity` tokens the original wrote. */
  async retrieveJson(key: string): Promise<unknown> {
    return parsePyJson((await this.retrieveBuffer(key)).toString('utf8'))
  }

  /** Writes a local file as the object of `entry`. */
  async writeFile(localPath: string, entry: CatalogEntry, options: WriteOptions = {}): Promise<CatalogEntry> {
    return this.writeBuffer(createReadStream(localPath), entry, options)
  }

  /** Writes a value as Python-formatted JSON (the original's `json.dump` text). */
  async writeJson(value: unknown, entry: CatalogEntry, options: WriteOptions = {}): Promise<CatalogEntry> {
    return this.writeBuffer(stringifyPy(value), entry, options)
  }

  /**
   * Writes a body as the object of `entry` (spec §5.1 `writeBuffer`): the entry is rebuilt for this repository,
   * `-o` writes a flat local copy, `-0` skips the repository and the catalog. The catalog row is written (or
   * staged) only after the object is stored. Returns the entry as rebuilt.
   */
  async writeBuffer(
    body: WritableBody,
    entry: CatalogEntry,
    options: WriteOptions = {},
  ): Promise<CatalogEntry> {
    const { simulate, outputPath, logger, driver } = this.#options
    const rebuilt = this.createCatalogEntry(entry.idBase, entry.idExt, entry.collectionDate, entry)
    const key = rebuilt.pointer
    if (outputPath) {
      const local = join(outputPath, this.makeFilename(rebuilt.idBase, rebuilt.idExt, rebuilt.collectionDate))
      await mkdir(outputPath, { recursive: true })
      await this.#wrap('write local copy of', key, () => pipeline(toReadable(body), createWriteStream(local)))
      if (simulate) {
        logger.info({ local, key }, `Simulation mode: skipped writing file '${local}' to repository`)
      } else {
        await this.#wrap('write', key, () => driver.put(key, createReadStream(local)))
      }
    } else if (simulate) {
      logger.info({ key, repository: this.repository }, 'Simulation mode: skipped writing to repository')
    } else {
      await this.#wrap('write', key, () => driver.put(key, bodyForDriver(body)))
    }
    if (!simulate && this.catalog) {
      if (options.stage) this.catalog.stageUpsert(rebuilt)
      else await this.catalog.upsert(rebuilt)
    }
    return rebuilt
  }

  /** Commits staged catalog rows; returns how many were written. */
  async flushCatalog(): Promise<number> {
    return this.catalog ? this.catalog.commitUpsert() : 0
  }

  /** Lists stored objects under a key prefix. */
  list(prefix = ''): AsyncIterable<{ key: string; size: number; modified: Date }> {
    return this.#options.driver.list(normalizePrefix(prefix))
  }

  async #wrap<T>(action: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      if (error instanceof EtlError) throw error
      throw new DriverError(
        'E_STORAGE',
        `Cannot ${action} "${key}" in repository "${this.repository}" (${this.#options.driver.name}): ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      )
    }
  }
}

function toReadable(body: WritableBody): Readable {
  if (body instanceof Readable) return body
  if (typeof body === 'string' || body instanceof Uint8Array) return Readable.from([Buffer.from(body)])
  return Readable.from(body)
}

function bodyForDriver(body: WritableBody): Readable | Uint8Array {
  if (typeof body === 'string') return Buffer.from(body)
  if (body instanceof Uint8Array || body instanceof Readable) return body
  return Readable.from(body)
}
