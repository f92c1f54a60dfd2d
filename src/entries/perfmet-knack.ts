import type { DateTime } from 'luxon'
import type { Logger } from '../support/logger.js'
import type { PerfmetDriver } from '../support/perfmet-driver.js'
import { addDays, type Clock, formatPyTs, LOCAL_ZONE, parseDateArg, startOfLocalDay } from '../util/dates.js'
import {
  exportPerfmetToKnack,
  type KnackViewRef,
  type KnackViews,
  type ObservationSource,
  type PerfmetKnackSummary,
} from './perfmet/knack-export.js'

export {
  type KnackViewRef,
  type KnackViews,
  OBSERVATION_SOURCES,
  type ObservationSource,
  PerfmetKnackError,
  type PerfmetKnackSummary,
  SAMPLE_DAYS,
  type SkippedSource,
  STANDARDIZE_STAGE,
} from './perfmet/knack-export.js'
export { JOB_FIELDS, OBSERVATION_FIELDS, STAGE_RENAMES } from './perfmet/knack-values.js'

/** The dashboard's jobs view (the original's `KNACK_JOB_VIEW`). */
export const DEFAULT_JOBS_VIEW: KnackViewRef = Object.freeze({ scene: 'scene_4', view: 'view_4' })

/** The dashboard's observations view (the original's `KNACK_OBS_VIEW`). */
export const DEFAULT_OBSERVATIONS_VIEW: KnackViewRef = Object.freeze({ scene: 'scene_5', view: 'view_5' })

/** The views of the dashboard application. */
export interface PerfmetKnackScenes {
  /** @default DEFAULT_JOBS_VIEW */
  readonly jobs?: KnackViewRef
  /** @default DEFAULT_OBSERVATIONS_VIEW */
  readonly observations?: KnackViewRef
}

/** Options of {@link runPerfmetKnack}. */
export interface PerfmetKnackOptions {
  /** Source of the job and observation rows. */
  readonly perfmet: PerfmetDriver
  /** The dashboard application's view operations (the Knack client with the view key `knack`). */
  readonly knack: KnackViews
  readonly clock: Clock
  readonly logger: Logger
  /**
   * `-r/--last_run_date`, parsed date-only ({@link parseDateArg}; `0` = 2000-01-01). The newest job day must not
   * be before it. @default local midnight of yesterday (from `clock`), also for null or blank
   */
  readonly lastRunDate?: string | number | null
  /** Knack view addresses. */
  readonly scenes?: PerfmetKnackScenes
  /** Observation kinds to export. @default OBSERVATION_SOURCES */
  readonly sources?: readonly ObservationSource[]
  /** Length of the `expected` window in days. @default SAMPLE_DAYS */
  readonly sampleDays?: number
}

/**
 * The `-r` value as a date: parsed date-only (`0` = 2000-01-01), or yesterday's local midnight when absent, null or
 * blank (as in the original, where only a non-empty value counted).
 */
export function resolveLastRunDate(value: string | number | null | undefined, clock: Clock): DateTime {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return addDays(startOfLocalDay(clock.now()), -1)
  }
  return parseDateArg(value, { dateOnly: true })
}

/**
 * `catalog-etl perfmet-knack` (the original's `util/perfmet_knack.py`): rewrites the Knack performance dashboard
 * from the perfmet tables (spec §6.4). Throws `PerfmetKnackError` (code `E_NOT_FOUND`) when there are no job rows
 * or the newest is before the last run date (the original printed an error and returned −1), and `ArgumentError`
 * for an unparseable `-r`; Knack failures left after the client's retries propagate.
 */
export async function runPerfmetKnack(options: PerfmetKnackOptions): Promise<PerfmetKnackSummary> {
  const lastRunDate = resolveLastRunDate(options.lastRunDate, options.clock)
  if (options.lastRunDate !== undefined && options.lastRunDate !== null) {
    options.logger.info({ lastRunDate: formatPyTs(lastRunDate) }, 'perfmet-knack: last run date')
  }
  return exportPerfmetToKnack({
    perfmet: options.perfmet,
    knack: options.knack,
    logger: options.logger,
    lastRunDate,
    jobsView: options.scenes?.jobs ?? DEFAULT_JOBS_VIEW,
    observationsView: options.scenes?.observations ?? DEFAULT_OBSERVATIONS_VIEW,
    zone: LOCAL_ZONE,
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.sampleDays !== undefined ? { sampleDays: options.sampleDays } : {}),
  })
}
