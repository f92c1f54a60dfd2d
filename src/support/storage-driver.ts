import type { Readable } from 'node:stream'

/** Metadata of a stored object. */
export interface ObjectInfo {
  /** Key relative to the repository. */
  readonly key: string
  /** Size in bytes. */
  readonly size: number
  /** Last modification time. */
  readonly modified: Date
}

/**
 * The storage contract: objects by key inside one repository (a bucket, a directory).
 * Keys reaching a driver are already validated by the `Storage` facade (relative, `/`-separated,
 * no `.`/`..` segments, no control characters).
 *
 * - `get` resolves `null` when the key does not exist (a routine miss); the stream errors on read failures.
 * - `put` writes the whole body, replacing any existing object, creating intermediate "folders" as needed;
 *   it resolves only once the object is durable (no partial object is visible under `key` on failure).
 * - `head` resolves `null` for a missing key.
 * - `list` streams every key starting with `prefix`, in lexicographic order, paging internally.
 * - `delete` of a missing key is not an error.
 */
export interface StorageDriver {
  /** Driver name for logs (`local`, `memory`, `s3`). */
  readonly name: string
  /** The object's bytes as a stream, or `null` when absent. */
  get(key: string): Promise<Readable | null>
  /** Store `body` under `key`. */
  put(key: string, body: Readable | Uint8Array): Promise<void>
  /** Metadata, or `null` when absent. */
  head(key: string): Promise<ObjectInfo | null>
  /** Objects whose keys start with `prefix` (`''` for all), ascending by key. */
  list(prefix: string): AsyncIterable<ObjectInfo>
  /** Remove the object; a missing key is fine. */
  delete(key: string): Promise<void>
  /** Release resources; idempotent. */
  close(): Promise<void>
}
