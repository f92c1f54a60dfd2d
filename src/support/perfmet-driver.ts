import type { DateTime } from 'luxon'

/** One `etl_perfmet_job` row (spec §6.2). */
export interface PerfmetJob {
  /** Long data-source name (`Bluetooth`, `Wavetronix`, `GRIDSMART`). */
  readonly dataSource: string
  readonly stage: string
  readonly seconds: number
  readonly records: number
  readonly processingDate: DateTime
  readonly collectionStart: DateTime | null
  readonly collectionEnd: DateTime | null
}

/** One `etl_perfmet_obs` row (spec §6.2). */
export interface PerfmetObservation {
  /** Long data-source name. */
  readonly dataSource: string
  readonly sensorName: string
  readonly dataType: string
  readonly data: number | null
  readonly expected: number | null
  readonly collectionDate: DateTime
  readonly timestampMin: DateTime | null
  readonly timestampMax: DateTime | null
}

/**
 * Where performance metrics go. Both writes are upserts on the tables' primary keys
 * (`(processing_date, data_source, stage)` and `(collection_date, data_source, data_type, sensor_name)`).
 */
export interface PerfmetDriver {
  readonly name: string
  writeJob(job: PerfmetJob): Promise<void>
  writeObservations(observations: readonly PerfmetObservation[]): Promise<void>
  /** Job rows whose processing date is in `[from, to)`, ordered by data source, stage, processing date. */
  readJobs(from: DateTime, to: DateTime): Promise<PerfmetJob[]>
  /** Observations whose collection date is in `[from, to)`, ordered by data type, sensor, collection date. */
  readObservations(from: DateTime, to: DateTime): Promise<PerfmetObservation[]>
  /** The newest job processing date, or `null` when there are no jobs (the original's `getRecentJobsDate`). */
  latestJobDate(): Promise<DateTime | null>
  close(): Promise<void>
}
