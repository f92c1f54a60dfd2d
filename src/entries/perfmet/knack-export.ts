import type { DateTime } from 'luxon'
import { type KnackClient, KnackError } from '../../drivers/knack/client.js'
import { EtlError } from '../../support/errors.js'
import type { Logger } from '../../support/logger.js'
import type { PerfmetDriver, PerfmetJob } from '../../support/perfmet-driver.js'
import { addDays, formatPyTs, LOCAL_ZONE, startOfLocalDay } from '../../util/dates.js'
import { dashboardObservations, jobRecord, latestJobsPerStage, observationRecord } from './knack-values.js'

/** Address of a Knack view (`scene_4` / `view_4`). */
export interface KnackViewRef {
  /** Scene key, e.g. `scene_4`. */
  readonly scene: string
  /** View key, e.g. `view_4`. */
  readonly view: string
}

/** The view-based Knack operations the export needs (a subset of the Knack client). */
export type KnackViews = Pick<KnackClient, 'getViewRecords' | 'createViewRecord' | 'deleteViewRecord'>

/** One kind of sensor observation shown on the dashboard. */
export interface ObservationSource {
  /** Long data-source name as stored in the perfmet tables. */
  readonly dataSource: string
  /** The observations' `data_type`. */
  readonly dataType: string
}

/** The observation kinds the original exported, in its order (spec §6.4 step 5). */
export const OBSERVATION_SOURCES: readonly ObservationSource[] = Object.freeze([
  Object.freeze({ dataSource: 'Bluetooth', dataType: 'Unmatched Entries' }),
  Object.freeze({ dataSource: 'Wavetronix', dataType: 'Vehicle Counts' }),
  Object.freeze({ dataSource: 'GRIDSMART', dataType: 'Vehicle Counts' }),
])

/** Days of observations behind the `expected` mean. */
export const SAMPLE_DAYS = 7

/** Dashboard stage whose collection end anchors the observation window. */
export const STANDARDIZE_STAGE = 'b. Standardize'

/** Why the export refused to run. */
export type PerfmetKnackRefusal = 'no-jobs' | 'stale'

/** The export refused to touch the dashboard (the original printed an error and returned −1). */
export class PerfmetKnackError extends EtlError {
  override name = 'PerfmetKnackError'
  /** `no-jobs`: the job table is empty; `stale`: the newest job day is before the last run date. */
  readonly reason: PerfmetKnackRefusal
  constructor(reason: PerfmetKnackRefusal, message: string) {
    super('E_NOT_FOUND', message)
    this.reason = reason
  }
}

/** An observation kind that was not exported, and why. */
export interface SkippedSource extends ObservationSource {
  /** `no-standardize-job`: no Standardize job with a collection end that day; `no-observations`: empty window. */
  readonly reason: 'no-standardize-job' | 'no-observations'
  /** The warning that was logged. */
  readonly message: string
}

/** What one export did. */
export interface PerfmetKnackSummary {
  /** Local midnight of the newest job's processing day (the day shown). */
  readonly day: DateTime
  /** Old dashboard records deleted, per view. */
  readonly deleted: { readonly jobs: number; readonly observations: number }
  /** Job records created. */
  readonly jobsCreated: number
  /** Observation records created (stopped sensors included). */
  readonly observationsCreated: number
  /** Observation records sent with `data = -1` (sensors without a row on the last two days). */
  readonly stoppedSensors: number
  /** Observation kinds skipped with a warning. */
  readonly skipped: readonly SkippedSource[]
}

/** Options of {@link exportPerfmetToKnack}. */
export interface PerfmetKnackExportOptions {
  /** Where the job and observation rows are read. */
  readonly perfmet: PerfmetDriver
  /** The dashboard application's views. */
  readonly knack: KnackViews
  readonly logger: Logger
  /** The `-r` date: the newest job day must not be before it. */
  readonly lastRunDate: DateTime
  /** The jobs view. */
  readonly jobsView: KnackViewRef
  /** The observations view. */
  readonly observationsView: KnackViewRef
  /** Observation kinds to export. @default OBSERVATION_SOURCES */
  readonly sources?: readonly ObservationSource[]
  /** Length of the `expected` window in days. @default SAMPLE_DAYS */
  readonly sampleDays?: number
  /** Zone of the Knack dates and of "midnight". @default LOCAL_ZONE */
  readonly zone?: string
}

async function readIds(knack: KnackViews, ref: KnackViewRef): Promise<string[]> {
  const ids: string[] = []
  for await (const record of knack.getViewRecords(ref.scene, ref.view)) ids.push(record.id)
  return ids
}

/** Deletes one record; a 404 (already gone, e.g. a retried DELETE that had been applied) counts as done. */
async function deleteRecord(knack: KnackViews, ref: KnackViewRef, id: string, logger: Logger): Promise<void> {
  try {
    await knack.deleteViewRecord(ref.scene, ref.view, id)
  } catch (error) {
    if (!(error instanceof KnackError && error.status === 404)) throw error
    logger.debug({ scene: ref.scene, view: ref.view, id }, 'Knack record was already deleted')
  }
}

interface SourcePlan {
  readonly records: Record<string, unknown>[]
  readonly stopped: number
}

async function planSource(
  options: PerfmetKnackExportOptions,
  jobs: readonly PerfmetJob[],
  source: ObservationSource,
  skipped: SkippedSource[],
): Promise<SourcePlan | null> {
  const zone = options.zone ?? LOCAL_ZONE
  const skip = (reason: SkippedSource['reason'], message: string): null => {
    options.logger.warn({ dataSource: source.dataSource, dataType: source.dataType, reason }, message)
    skipped.push({ ...source, reason, message })
    return null
  }
  let job: PerfmetJob | null = null
  for (const candidate of jobs) {
    if (candidate.dataSource !== source.dataSource || candidate.stage !== STANDARDIZE_STAGE) continue
    if (candidate.collectionEnd && (!job?.collectionEnd || candidate.collectionEnd > job.collectionEnd))
      job = candidate
  }
  const lateDate = job?.collectionEnd
  if (!lateDate) {
    return skip(
      'no-standardize-job',
      `No '${source.dataSource}'/'${STANDARDIZE_STAGE}' job with a collection end was found for that day`,
    )
  }
  const earlyDate = addDays(lateDate, -(options.sampleDays ?? SAMPLE_DAYS), zone)
  const all = await options.perfmet.readObservations(earlyDate, lateDate.plus({ milliseconds: 1 }))
  const rows = all.filter(
    (row) =>
      row.dataSource === source.dataSource &&
      row.dataType === source.dataType &&
      row.collectionDate > earlyDate,
  )
  if (rows.length === 0) {
    return skip(
      'no-observations',
      `No observations found for '${source.dataSource}', type '${source.dataType}' in (${formatPyTs(earlyDate)}, ${formatPyTs(lateDate)}]`,
    )
  }
  const shown = dashboardObservations(rows, lateDate, zone)
  return {
    records: shown.map((obs) => observationRecord(obs, zone)),
    stopped: shown.filter((obs) => obs.stopped).length,
  }
}

/**
 * Rewrites the perfmet dashboard (spec §6.4 `main()` steps 2–5): finds the newest job day (refusing with a
 * {@link PerfmetKnackError} when there is none or it is before `lastRunDate`), prepares that day's job records and
 * the observation records of each source, then deletes every record of both views (observations first) and
 * creates the new ones. All perfmet reads happen before the first Knack write.
 */
export async function exportPerfmetToKnack(options: PerfmetKnackExportOptions): Promise<PerfmetKnackSummary> {
  const { perfmet, knack, logger } = options
  const zone = options.zone ?? LOCAL_ZONE
  const newest = await perfmet.latestJobDate()
  if (!newest) {
    throw new PerfmetKnackError(
      'no-jobs',
      'No recent processing date is found in the performance metrics tables',
    )
  }
  const day = startOfLocalDay(newest, zone)
  if (day < options.lastRunDate) {
    throw new PerfmetKnackError(
      'stale',
      `No processing date exists after ${formatPyTs(options.lastRunDate)} (the newest job was processed ${formatPyTs(newest)})`,
    )
  }
  logger.info({ day: formatPyTs(day) }, 'Exporting perfmet to Knack for the most recent processing date')

  const jobs = latestJobsPerStage(await perfmet.readJobs(day, addDays(day, 1, zone)))
  const skipped: SkippedSource[] = []
  const observationRecords: Record<string, unknown>[] = []
  let stoppedSensors = 0
  for (const source of options.sources ?? OBSERVATION_SOURCES) {
    const plan = await planSource(options, jobs, source, skipped)
    if (!plan) continue
    observationRecords.push(...plan.records)
    stoppedSensors += plan.stopped
  }

  const { jobsView, observationsView } = options
  const oldJobs = await readIds(knack, jobsView)
  const oldObservations = await readIds(knack, observationsView)
  logger.info({ jobs: oldJobs.length, observations: oldObservations.length }, 'Deleting old Knack records')
  for (const id of oldObservations) await deleteRecord(knack, observationsView, id, logger)
  for (const id of oldJobs) await deleteRecord(knack, jobsView, id, logger)

  for (const job of jobs) await knack.createViewRecord(jobsView.scene, jobsView.view, jobRecord(job, zone))
  for (const record of observationRecords) {
    await knack.createViewRecord(observationsView.scene, observationsView.view, record)
  }
  const summary: PerfmetKnackSummary = {
    day,
    deleted: { jobs: oldJobs.length, observations: oldObservations.length },
    jobsCreated: jobs.length,
    observationsCreated: observationRecords.length,
    stoppedSensors,
    skipped,
  }
  logger.info(
    {
      ...summary,
      day: formatPyTs(day),
      skipped: skipped.map((s) => `${s.dataSource}/${s.dataType}: ${s.reason}`),
    },
    'Perfmet dashboard rewritten',
  )
  return summary
}
