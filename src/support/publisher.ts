import type { DateTime } from 'luxon'
import { formatSocTs } from '../util/dates.js'
import { DriverError } from './errors.js'
import type { Logger } from './logger.js'
import type { PublisherDriver, PublishRow } from './publisher-driver.js'

export type { PublisherDriver, PublishRow } from './publisher-driver.js'

/** Options of {@link Publisher}. */
export interface PublisherOptions {
  readonly driver: PublisherDriver
  /** Local CSV copy of every published row (`-o`); a CSV driver for `<outputPath>/<identifier>.csv`. */
  readonly copy: PublisherDriver | null
  /** `-0`: send nothing to the driver (the local copy is still written). */
  readonly simulate: boolean
  readonly logger: Logger
  /** Rows per chunk. @default driver.preferredChunk */
  readonly chunkSize?: number
}

/** Buffers rows and sends them in chunks (spec §6.3); empty flushes send nothing. */
export class Publisher {
  readonly identifier: string
  readonly #options: PublisherOptions
  readonly #chunkSize: number
  #buffer: PublishRow[] = []
  #written = 0

  constructor(options: PublisherOptions) {
    this.#options = options
    this.identifier = options.driver.identifier
    this.#chunkSize = Math.max(1, options.chunkSize ?? options.driver.preferredChunk)
  }

  /** Rows sent (or, when simulating, that would have been sent) so far. */
  get rowCount(): number {
    return this.#written
  }

  /** Adds a row; flushes when a chunk is full. */
  async addRow(row: PublishRow): Promise<void> {
    this.#buffer.push(row)
    if (this.#buffer.length >= this.#chunkSize) await this.flush()
  }

  /** Sends buffered rows; does nothing when the buffer is empty. */
  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return
    const rows = this.#buffer
    this.#buffer = []
    const { driver, copy, simulate, logger } = this.#options
    const verb = simulate ? 'would have written' : 'writing'
    logger.info({ dataset: this.identifier, at: this.#written, rows: rows.length }, `publish: ${verb} rows`)
    try {
      if (!simulate) await driver.write(rows)
      if (copy) await copy.write(rows)
    } catch (error) {
      throw new DriverError(
        'E_PUBLISH',
        `Publishing ${rows.length} row(s) to "${this.identifier}" (${driver.name}) failed: ${(error as Error).message}`,
        { cause: error },
      )
    }
    this.#written += rows.length
  }

  /** Clears the buffer and the row counter. */
  reset(): void {
    this.#buffer = []
    this.#written = 0
  }

  /** Flushes and closes the driver and the local copy. */
  async close(): Promise<void> {
    try {
      await this.flush()
    } finally {
      await this.#options.driver.close()
      await this.#options.copy?.close()
    }
  }

  /** A timestamp as the target expects it (Socrata floating timestamp `YYYY-MM-DDTHH:MM:SS`). */
  convertTime(dt: DateTime): string {
    return formatSocTs(dt)
  }
}
