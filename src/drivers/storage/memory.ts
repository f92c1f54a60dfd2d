import { Readable } from 'node:stream'
import type { ObjectInfo, StorageDriver } from '../../support/storage-driver.js'
import { compareKeys } from '../../util/keys.js'

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** Clock for the `modified` time of stored objects (default: `() => new Date()`); inject one in tests. */
  readonly now?: () => Date
}

interface StoredObject {
  readonly data: Buffer
  readonly modified: Date
}

/** Collects a body into one private copy; rejects when a stream body fails. */
async function readBody(body: Readable | Uint8Array): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body)
  const chunks: Uint8Array[] = []
  for await (const chunk of body) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array))
  }
  return Buffer.concat(chunks)
}

/**
 * An in-memory {@link StorageDriver} (a `Map` of buffers) with the same semantics as the other drivers:
 * whole-object replacement, `null` for misses, listing in S3 (UTF-8 byte) order. Meant for tests; every
 * driver instance has its own map. Keys are used as given (the `Storage` facade validates them).
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageDriver {
  const now = options.now ?? (() => new Date())
  const objects = new Map<string, StoredObject>()

  const info = (key: string, object: StoredObject): ObjectInfo => ({
    key,
    size: object.data.length,
    modified: new Date(object.modified.getTime()),
  })

  return {
    name: 'memory',

    async get(key) {
      const object = objects.get(key)
      return object ? Readable.from([Buffer.from(object.data)]) : null
    },

    async put(key, body) {
      const data = await readBody(body)
      objects.set(key, { data, modified: now() })
    },

    async head(key) {
      const object = objects.get(key)
      return object ? info(key, object) : null
    },

    async *list(prefix) {
      const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys)
      for (const key of keys) {
        const object = objects.get(key)
        if (object) yield info(key, object)
      }
    },

    async delete(key) {
      objects.delete(key)
    },

    async close() {},
  }
}
