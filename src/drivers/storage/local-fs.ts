import { randomBytes } from 'node:crypto'
import { createReadStream, type Dirent, type Stats } from 'node:fs'
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { InvalidKeyError } from '../../support/errors.js'
import type { ObjectInfo, StorageDriver } from '../../support/storage-driver.js'
import { compareKeys } from '../../util/keys.js'

/** Options of {@link createLocalStorage}. */
export interface LocalStorageOptions {
  /** Directory holding the repository; objects live at `<root>/<key>`. Created on the first `put`. */
  readonly root: string
  /**
   * Directory for in-flight uploads (default: the object's own directory). Should be on the same
   * filesystem as `root`; otherwise each upload is copied once more before its atomic rename.
   * When it lies inside `root` it is hidden from `list`. The temp files that killed processes of this host left
   * there are removed before this driver's first upload.
   */
  readonly tempDir?: string
}

/** Name prefix of in-flight upload files; such segments are never listed and cannot be used in keys. */
export const LOCAL_TEMP_PREFIX = '.etl-tmp-'

/** The directory beside the repositories of a local lake that holds their in-flight uploads. */
export const LOCAL_UPLOADS_DIR = '.etl-uploads'

const MISSING = new Set(['ENOENT', 'ENOTDIR'])
const OPEN_ATTEMPTS = 10

/** The `code` of a Node system error, if any. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Whether `error` says the path (or one of its parents) does not exist. */
function isMissing(error: unknown): boolean {
  return MISSING.has(errorCode(error) ?? '')
}

/** A fresh temp file name: `.etl-tmp-<pid>-<random hex>`. */
function tempName(): string {
  return `${LOCAL_TEMP_PREFIX}${process.pid}-${randomBytes(12).toString('hex')}`
}

/** Whether a process with this pid runs on this host. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === 'EPERM'
  }
}

/** Removes the temp files in `dir` whose writing process no longer runs (uploads of a killed run). */
async function sweepDeadTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(LOCAL_TEMP_PREFIX)) continue
    const pid = Number(name.slice(LOCAL_TEMP_PREFIX.length).split('-')[0])
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !running(pid)) {
      await rm(path.join(dir, name), { force: true })
    }
  }
}

/** Flushes a directory entry to disk where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Best effort: some platforms cannot open or fsync a directory.
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

/**
 * A {@link StorageDriver} over a local directory, the embedded default of the `local` profile.
 *
 * - `put` streams the body into a temp file (fsynced), then renames it over `<root>/<key>`: a failure or a
 *   crash never leaves a partial object under the key, and an older object stays intact until replaced. With a
 *   `tempDir`, what a killed process left there is swept before the first upload.
 * - `list` walks directories in key order and yields as it goes (memory bounded by the tree depth);
 *   in-flight temp files and a `tempDir` inside `root` never appear.
 * - `delete` removes the file, then the parent directories it left empty, up to (not including) `root`.
 * - Only regular files (or symlinks to them) are objects; a directory is never an object.
 *
 * Keys are expected to be validated by the `Storage` facade; as a second line of defence, a key resolving
 * outside `root` or using a reserved `.etl-tmp-` segment throws {@link InvalidKeyError}.
 */
export function createLocalStorage(options: LocalStorageOptions): StorageDriver {
  const root = path.resolve(options.root)
  const tempDir = options.tempDir === undefined ? undefined : path.resolve(options.tempDir)

  const inside = (target: string): boolean => {
    const relative = path.relative(root, target)
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
  }

  const resolveKey = (key: string): string => {
    const segments = key.split('/')
    if (segments.some((segment) => segment.startsWith(LOCAL_TEMP_PREFIX))) {
      throw new InvalidKeyError(key, `segments starting with "${LOCAL_TEMP_PREFIX}" are reserved for uploads`)
    }
    const target = path.resolve(root, ...segments)
    if (!inside(target)) throw new InvalidKeyError(key, 'the key resolves outside the storage root')
    if (tempDir !== undefined && (target === tempDir || target.startsWith(`${tempDir}${path.sep}`))) {
      throw new InvalidKeyError(key, 'the key points into the upload temp directory')
    }
    return target
  }

  /** Removes empty directories from `dir` upwards, stopping at the root or the first non-empty one. */
  const pruneEmpty = async (dir: string): Promise<void> => {
    let current = dir
    while (inside(current) && current !== tempDir) {
      try {
        await rmdir(current)
      } catch {
        return
      }
      current = path.dirname(current)
    }
  }

  /** Creates an exclusive temp file, recreating its directory if a concurrent delete pruned it. */
  const openTemp = async (dir: string): Promise<{ handle: FileHandle; file: string }> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dir, { recursive: true })
        const file = path.join(dir, tempName())
        return { handle: await open(file, 'wx'), file }
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || attempt >= OPEN_ATTEMPTS) throw error
      }
    }
  }

  /** Renames `temp` onto `target`; copies first when `temp` lies on another filesystem. */
  const moveIntoPlace = async (temp: string, target: string): Promise<void> => {
    const dir = path.dirname(target)
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dir, { recursive: true })
        await rename(temp, target)
        return
      } catch (error) {
        if (errorCode(error) === 'EXDEV') {
          await writeTemp(dir, createReadStream(temp), async (local) => rename(local, target))
          await rm(temp, { force: true })
          return
        }
        if (errorCode(error) !== 'ENOENT' || attempt >= OPEN_ATTEMPTS) throw error
      }
    }
  }

  /** Writes `body` to a new, fsynced temp file in `dir` and hands it to `place`; removes it on failure. */
  async function writeTemp(
    dir: string,
    body: Readable | Uint8Array,
    place: (file: string) => Promise<void>,
  ): Promise<void> {
    const { handle, file } = await openTemp(dir)
    let placed = false
    try {
      try {
        await writeFile(handle, body)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await place(file)
      placed = true
    } finally {
      if (!placed) await rm(file, { force: true })
    }
  }

  let swept: Promise<void> | null = null
  const write = async (target: string, body: Readable | Uint8Array): Promise<void> => {
    const dir = path.dirname(target)
    if (tempDir !== undefined) {
      swept ??= sweepDeadTemps(tempDir)
      await swept
    }
    await writeTemp(tempDir ?? dir, body, (file) => moveIntoPlace(file, target))
    await syncDirectory(dir)
  }

  /** Stats `file`, following symlinks; `null` when it is missing. */
  const statOrNull = async (file: string): Promise<Stats | null> => {
    try {
      return await stat(file)
    } catch (error) {
      if (isMissing(error)) return null
      throw error
    }
  }

  /** Reads a directory as key fragments (`name` or `name/`) in key order; `[]` when it is missing. */
  const readSorted = async (
    dir: string,
    namePrefix: string,
  ): Promise<Array<{ entry: Dirent; sortKey: string }>> => {
    let entries: Dirent[]
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (error) {
      if (isMissing(error)) return []
      throw error
    }
    return entries
      .filter((entry) => entry.name.startsWith(namePrefix) && !entry.name.startsWith(LOCAL_TEMP_PREFIX))
      .filter((entry) => tempDir === undefined || path.join(dir, entry.name) !== tempDir)
      .map((entry) => ({ entry, sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey))
  }

  async function* walk(dir: string, keyPrefix: string, namePrefix: string): AsyncGenerator<ObjectInfo> {
    for (const { entry } of await readSorted(dir, namePrefix)) {
      const file = path.join(dir, entry.name)
      const key = `${keyPrefix}${entry.name}`
      if (entry.isDirectory()) {
        yield* walk(file, `${key}/`, '')
        continue
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue
      const stats = await statOrNull(file)
      if (stats?.isFile()) yield { key, size: stats.size, modified: stats.mtime }
    }
  }

  return {
    name: 'local',

    async get(key) {
      const file = resolveKey(key)
      let handle: FileHandle
      try {
        handle = await open(file, 'r')
      } catch (error) {
        if (isMissing(error) || errorCode(error) === 'EISDIR') return null
        throw error
      }
      try {
        if (!(await handle.stat()).isFile()) {
          await handle.close()
          return null
        }
      } catch (error) {
        await handle.close()
        throw error
      }
      return handle.createReadStream()
    },

    async put(key, body) {
      try {
        await write(resolveKey(key), body)
      } catch (error) {
        if (body instanceof Readable) body.destroy()
        const target = path.resolve(root, ...key.split('/'))
        if (inside(target)) await pruneEmpty(path.dirname(target))
        throw error
      }
    },

    async head(key) {
      const stats = await statOrNull(resolveKey(key))
      return stats?.isFile() ? { key, size: stats.size, modified: stats.mtime } : null
    },

    async *list(prefix) {
      const slash = prefix.lastIndexOf('/')
      const folder = prefix.slice(0, slash + 1)
      const start = path.resolve(root, ...folder.split('/').filter((segment) => segment !== ''))
      if (start !== root && !inside(start))
        throw new InvalidKeyError(prefix, 'the prefix resolves outside the storage root')
      yield* walk(start, folder, prefix.slice(slash + 1))
    },

    async delete(key) {
      const file = resolveKey(key)
      try {
        await unlink(file)
      } catch (error) {
        if (isMissing(error)) return
        const stats = await statOrNull(file)
        if (stats === null || stats.isDirectory()) return
        throw error
      }
      await pruneEmpty(path.dirname(file))
    },

    async close() {},
  }
}
