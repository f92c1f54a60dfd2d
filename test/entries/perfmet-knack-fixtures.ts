import { createKnackClient, type KnackClient } from '../../src/drivers/knack/client.js'
import type { SqlPerfmetDriver } from '../../src/drivers/sql/perfmet-sql.js'
import { createPgliteDatabase, type PgliteDatabase } from '../../src/drivers/sql/pglite-database.js'
import type { PerfmetJob, PerfmetObservation } from '../../src/support/perfmet-driver.js'
import { parseTimestamp } from '../../src/util/dates.js'
import {
  type KnackEmulator,
  type KnackFieldDef,
  startKnackEmulator,
} from '../emulators/knack/knack-emulator.js'

/** Fixtures of the perfmet-knack end-to-end tests: perfmet rows of several days and the records they become. */

export const at = (text: string) => parseTimestamp(text)
export const wallOf = (text: string) => {
  const t = at(text)
  return { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute }
}
export const date = (text: string) => ({ kind: 'date', from: wallOf(text) })
export const range = (from: string, to: string) => ({ kind: 'date', from: wallOf(from), to: wallOf(to) })

export const number = (key: string): KnackFieldDef => ({ key, label: key, type: 'number' })
export const text = (key: string): KnackFieldDef => ({ key, label: key, type: 'short_text' })
export const when = (key: string): KnackFieldDef => ({ key, label: key, type: 'date_time' })
export const JOB_FIELD_DEFS = [
  text('field_9'),
  text('field_10'),
  number('field_11'),
  number('field_12'),
  when('field_13'),
  when('field_14'),
]
export const OBS_FIELD_DEFS = [
  text('field_15'),
  text('field_16'),
  text('field_17'),
  number('field_18'),
  number('field_19'),
  when('field_20'),
  when('field_21'),
  number('field_22'),
  number('field_23'),
  number('field_24'),
]

export const job = (
  dataSource: string,
  stage: string,
  processed: string,
  seconds: number,
  records: number,
  collection?: [string, string],
): PerfmetJob => ({
  dataSource,
  stage,
  seconds,
  records,
  processingDate: at(processed),
  collectionStart: collection ? at(collection[0]) : null,
  collectionEnd: collection ? at(collection[1]) : null,
})

export const obs = (
  dataSource: string,
  dataType: string,
  sensorName: string,
  day: string,
  data: number | null,
  span?: [string, string],
): PerfmetObservation => ({
  dataSource,
  sensorName,
  dataType,
  data,
  expected: null,
  collectionDate: at(day),
  timestampMin: span ? at(span[0]) : null,
  timestampMax: span ? at(span[1]) : null,
})

export const BT = 'Bluetooth'
export const WT = 'Wavetronix'
export const GS = 'GRIDSMART'
export const UNMATCHED = 'Unmatched Entries'
export const COUNTS = 'Vehicle Counts'

export const JOBS: PerfmetJob[] = [
  job(BT, 'Ingest', '2019-06-07 07:00:00', 2, 9, ['2019-06-06', '2019-06-07']),
  job(BT, 'Standardize', '2019-06-07 07:10:00', 2, 9, ['2019-06-06', '2019-06-10']),
  job(BT, 'Ingest', '2019-06-08 00:30:00', 4.5, 1, ['2019-06-07', '2019-06-08']),
  job(BT, 'Ingest', '2019-06-08 07:00:00', 3.25, 2, ['2019-06-07', '2019-06-08']),
  job(BT, 'Standardize', '2019-06-08 07:10:00', 60.5, 1, ['2019-06-07', '2019-06-08']),
  job(BT, 'Ready', '2019-06-08 07:20:00', 12, 1),
  job(BT, 'Publish', '2019-06-08 12:00:00', 0.5, 3, ['2019-06-07', '2019-06-08']),
  job(WT, 'Ingest', '2019-06-08 08:00:00', 1, 2),
  job(WT, 'Standardize', '2019-06-08 08:10:00', 7.75, 2, ['2019-06-06', '2019-06-08']),
  job(GS, 'Ingest', '2019-06-08 09:00:00', 100, 40, ['2019-06-07', '2019-06-08']),
  job(GS, 'Socrata Agg.', '2019-06-08 13:45:00', 1.5, 40),
  job(WT, 'Aggregate', '2019-06-08 23:59:30', 2.5, 2),
]

export const OBSERVATIONS: PerfmetObservation[] = [
  obs(BT, UNMATCHED, 'AAA reader', '2019-06-01', 100),
  obs(BT, UNMATCHED, 'AAA reader', '2019-06-02', 10),
  obs(BT, UNMATCHED, 'AAA reader', '2019-06-03', 20),
  obs(BT, UNMATCHED, 'AAA reader', '2019-06-07', 30, ['2019-06-07 00:05:00', '2019-06-07 23:50:00']),
  obs(BT, 'Matched Entries', 'AAA reader', '2019-06-07', 999),
  obs(BT, UNMATCHED, 'BBB reader', '2019-06-03', 8),
  obs(BT, UNMATCHED, 'BBB reader', '2019-06-05', 4, ['2019-06-05 06:00:00', '2019-06-05 18:00:00']),
  obs(BT, UNMATCHED, 'CCC reader', '2019-06-08', 7),
  obs(BT, UNMATCHED, 'CCC reader', '2019-06-09', 100),
  obs(WT, COUNTS, 'Lamar & 5th', '2019-06-06', 1000),
  obs(WT, COUNTS, 'Lamar & 5th', '2019-06-07', 1100, ['2019-06-06 23:58:00', '2019-06-08 00:30:00']),
  obs(WT, COUNTS, 'Burnet & 45th', '2019-06-07', null),
  obs(GS, COUNTS, 'Loop 360_Barton Creek', '2019-06-07', 5000),
]

export const jobRow = (
  source: string,
  stage: string,
  seconds: number,
  records: number,
  processed: string,
  times?: unknown,
) => ({
  field_9: source,
  field_10: stage,
  field_11: seconds,
  field_12: records,
  field_13: date(processed),
  field_14: times ?? null,
})

export const EXPECTED_JOBS = [
  jobRow(BT, 'a. Ingest', 3.25, 2, '2019-06-08 07:00', range('2019-06-07', '2019-06-08')),
  jobRow(BT, 'b. Standardize', 60.5, 1, '2019-06-08 07:10', range('2019-06-07', '2019-06-08')),
  jobRow(BT, 'c. Ready', 12, 1, '2019-06-08 07:20'),
  jobRow(WT, 'a. Ingest', 1, 2, '2019-06-08 08:00'),
  jobRow(WT, 'b. Standardize', 7.75, 2, '2019-06-08 08:10', range('2019-06-06', '2019-06-08')),
  jobRow(GS, 'a. Ingest', 100, 40, '2019-06-08 09:00', range('2019-06-07', '2019-06-08')),
  jobRow(BT, 'e. Publish', 0.5, 3, '2019-06-08 12:00', range('2019-06-07', '2019-06-08')),
  jobRow(GS, 'Socrata', 1.5, 40, '2019-06-08 13:45'),
  jobRow(WT, 'd. Aggregate', 2.5, 2, '2019-06-08 23:59'),
]

export const obsRow = (
  source: string,
  type: string,
  sensor: string,
  data: number | null,
  expected: number | null,
  day: string,
  span?: [string, string, number, number],
) => ({
  field_15: source,
  field_16: sensor,
  field_17: type,
  field_18: data,
  field_19: expected,
  field_20: date(day),
  field_21: span ? range(span[0], span[1]) : null,
  field_22: null,
  field_23: span ? span[2] : null,
  field_24: span ? span[3] : null,
})

export const EXPECTED_OBSERVATIONS = [
  obsRow(BT, UNMATCHED, 'AAA reader', 30, 20, '2019-06-07', [
    '2019-06-07 00:05',
    '2019-06-07 23:50',
    5 / 60,
    23 + 50 / 60,
  ]),
  obsRow(BT, UNMATCHED, 'BBB reader', -1, 6, '2019-06-05', ['2019-06-05 06:00', '2019-06-05 18:00', 6, 18]),
  obsRow(BT, UNMATCHED, 'CCC reader', 7, 7, '2019-06-08'),
  obsRow(WT, COUNTS, 'Burnet & 45th', null, null, '2019-06-07'),
  obsRow(WT, COUNTS, 'Lamar & 5th', 1100, 1050, '2019-06-07', [
    '2019-06-06 23:58',
    '2019-06-08 00:30',
    0,
    24,
  ]),
]

export const OLD_JOBS = [
  { id: 'aaaaaaaaaaaaaaaaaaaaaa01', field_9: BT, field_10: 'a. Ingest', field_11: 1, field_12: 1 },
  { id: 'aaaaaaaaaaaaaaaaaaaaaa02', field_9: GS, field_10: 'a. Ingest', field_11: 1, field_12: 1 },
]
export const OLD_OBSERVATIONS = [
  { id: 'bbbbbbbbbbbbbbbbbbbbbb01', field_15: BT, field_16: 'old reader', field_18: 1 },
  { id: 'bbbbbbbbbbbbbbbbbbbbbb02', field_15: WT, field_16: 'old radar', field_18: 2 },
  { id: 'bbbbbbbbbbbbbbbbbbbbbb03', field_15: GS, field_16: 'old camera', field_18: 3 },
]

export const held = (emu: KnackEmulator, scene: string, view: string) =>
  emu.viewRecords(scene, view).map((record) => record.values)

/** Live objects of one test: the PGlite perfmet driver, the Knack emulator and a client on it. */
export interface KnackHarness {
  db: PgliteDatabase
  perfmet: SqlPerfmetDriver
  emu: KnackEmulator
  knack: KnackClient
  /** Writes {@link JOBS} and {@link OBSERVATIONS}. */
  fill(): Promise<void>
}

/**
 * Registers mocha hooks: one in-memory PGlite database for the suite (tables emptied before each test) and, per
 * test, a fresh emulator whose two dashboard views hold the old records.
 */
export function useKnackHarness(): KnackHarness {
  const h = {} as KnackHarness
  before(async () => {
    h.db = createPgliteDatabase()
    h.perfmet = h.db.perfmet()
  })
  after(async () => {
    await h.perfmet.close()
    await h.db.close()
  })
  beforeEach(async () => {
    await h.perfmet.latestJobDate()
    await (await h.db.client()).query('truncate api.etl_perfmet_job, api.etl_perfmet_obs')
    h.emu = await startKnackEmulator()
    h.emu.setView('scene_4', 'view_4', OLD_JOBS, { fields: JOB_FIELD_DEFS })
    h.emu.setView('scene_5', 'view_5', OLD_OBSERVATIONS, { fields: OBS_FIELD_DEFS })
    h.knack = createKnackClient({
      baseUrl: h.emu.url,
      appId: h.emu.appId,
      apiKey: 'knack',
      minDelayMs: 5,
      maxDelayMs: 20,
      maxResetWaitMs: 20,
    })
  })
  afterEach(async () => {
    await h.emu.close()
  })
  h.fill = async () => {
    for (const row of JOBS) await h.perfmet.writeJob(row)
    await h.perfmet.writeObservations(OBSERVATIONS)
  }
  return h
}
