/** A row to publish: column name → value. */
export type PublishRow = Readonly<Record<string, string | number | boolean | null>>

/**
 * The publishing contract (Socrata, CSV). `write` sends one chunk of rows; it is never called with an
 * empty array (the facade skips empty flushes).
 */
export interface PublisherDriver {
  readonly name: string
  /** Dataset identifier (a Socrata 4x4 id, or a CSV file stem). */
  readonly identifier: string
  /** Rows per `write` call the driver prefers. */
  readonly preferredChunk: number
  write(rows: readonly PublishRow[]): Promise<void>
  close(): Promise<void>
}
