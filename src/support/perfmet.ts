import type { DateTime } from 'luxon'
import { addDays, type Clock } from '../util/dates.js'
import { DriverError } from './errors.js'
import type { Logger } from './logger.js'
import type { PerfmetDriver, PerfmetObservation } from './perfmet-driver.js'

export type { PerfmetDriver, PerfmetJob, PerfmetObservation } from './perfmet-driver.js'

/** One sensor observation (the original's `SensorObs`). */
export interface SensorObservation {
  readonly observation: number | null
  readonly expected?: number | null
  readonly collectionDate: DateTime
  readonly minTimestamp?: DateTime | null
  readonly maxTimestamp?: DateTime | null
}

/** Options of {@link PerfMet}. */
export interface PerfMetOptions {
  readonly driver: PerfmetDriver
  /** Long data-source name (`Bluetooth`, …). */
  readonly dataSource: string
  /** Stage label (`Ingest`, `Standardize`, …). */
  readonly stage: string
  readonly clock: Clock
  readonly logger: Logger
  /** Simulation: rows are logged, not written (the original wrote them; see docs/compat.md). */
  readonly simulate: boolean
}

/** Performance metrics of one run (spec §6.2): the collection range, sensor observations and one job row. */
export class PerfMet {
  readonly #options: PerfMetOptions
  readonly #processingTime: DateTime
  readonly #observations = new Map<string, PerfmetObservation>()
  #collectStart: DateTime | null = null
  #collectEnd: DateTime | null = null

  constructor(options: PerfMetOptions) {
    this.#options = options
    this.#processingTime = options.clock.now()
  }

  /** Widens the collection range by a timestamp (by a whole day when `representsDay`). */
  recordCollect(timestamp: DateTime, representsDay = false): void {
    const end = representsDay ? addDays(timestamp, 1) : timestamp
    if (!this.#collectStart || timestamp < this.#collectStart) this.#collectStart = timestamp
    if (!this.#collectEnd || end > this.#collectEnd) this.#collectEnd = end
  }

  /** The collection range so far, `[start, end)`. */
  get collectionRange(): { start: DateTime | null; end: DateTime | null } {
    return { start: this.#collectStart, end: this.#collectEnd }
  }

  /** Records (or replaces) the observation of one sensor and data type. */
  recordSensorObs(sensorName: string, dataType: string, obs: SensorObservation): void {
    this.#observations.set(`${sensorName}\u0000${dataType}`, {
      dataSource: this.#options.dataSource,
      sensorName,
      dataType,
      data: obs.observation,
      expected: obs.expected ?? null,
      collectionDate: obs.collectionDate,
      timestampMin: obs.minTimestamp ?? null,
      timestampMax: obs.maxTimestamp ?? null,
    })
  }

  /** Writes the recorded observations in one batch and clears them. */
  async writeSensorObs(): Promise<number> {
    const rows = [...this.#observations.values()]
    this.#observations.clear()
    if (rows.length === 0) return 0
    if (this.#options.simulate) {
      this.#options.logger.info(
        { rows: rows.length },
        'Simulation mode: skipped writing perfmet observations',
      )
      return 0
    }
    await this.#guard('observations', () => this.#options.driver.writeObservations(rows))
    return rows.length
  }

  /** Writes the job row: duration since construction, record count and the collection range. */
  async logJob(records: number): Promise<void> {
    const now = this.#options.clock.now()
    const job = {
      dataSource: this.#options.dataSource,
      stage: this.#options.stage,
      seconds: now.diff(this.#processingTime).as('seconds'),
      records,
      processingDate: this.#processingTime,
      collectionStart: this.#collectStart,
      collectionEnd: this.#collectEnd,
    }
    if (this.#options.simulate) {
      this.#options.logger.info(
        { perfmetJob: { ...job, records } },
        'Simulation mode: skipped writing perfmet job',
      )
      return
    }
    await this.#guard('job', () => this.#options.driver.writeJob(job))
  }

  async #guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn()
    } catch (error) {
      throw new DriverError('E_DRIVER', `Writing the perfmet ${what} failed: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
}
