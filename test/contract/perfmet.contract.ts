import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import type { PerfmetDriver, PerfmetJob, PerfmetObservation } from '../../src/support/perfmet-driver.js'
import { at, CHICAGO } from './catalog-fixtures.js'

use(chaiAsPromised)

/** What a test file hands to {@link describePerfmetContract}: a fresh driver over empty tables per test. */
export type MakePerfmetDriver = () => Promise<{
  driver: PerfmetDriver
  cleanup?: () => Promise<void>
}>

/** A job row like spec §11.5's example. */
export function job(overrides: Partial<PerfmetJob> = {}): PerfmetJob {
  return {
    dataSource: 'Bluetooth',
    stage: 'Standardize',
    seconds: 812.4,
    records: 3,
    processingDate: at('2019-06-02T03:00:01.5'),
    collectionStart: at('2019-06-01'),
    collectionEnd: at('2019-06-02'),
    ...overrides,
  }
}

/** An observation row like spec §11.5's example. */
export function observation(overrides: Partial<PerfmetObservation> = {}): PerfmetObservation {
  return {
    dataSource: 'Wavetronix',
    sensorName: 'LAMARMANCHACA',
    dataType: 'Vehicle Counts',
    data: 14233,
    expected: null,
    collectionDate: at('2020-09-13'),
    timestampMin: at('2020-09-13T00:00:00'),
    timestampMax: at('2020-09-13T23:45:00'),
    ...overrides,
  }
}

function jobView(value: PerfmetJob): unknown[] {
  return [
    value.dataSource,
    value.stage,
    Math.round(value.seconds * 1000) / 1000,
    value.records,
    value.processingDate.toISO(),
    value.collectionStart?.toISO() ?? null,
    value.collectionEnd?.toISO() ?? null,
  ]
}

function obsView(value: PerfmetObservation): unknown[] {
  return [
    value.dataSource,
    value.sensorName,
    value.dataType,
    value.data,
    value.expected,
    value.collectionDate.toISO(),
    value.timestampMin?.toISO() ?? null,
    value.timestampMax?.toISO() ?? null,
  ]
}

/**
 * The perfmet contract (src/support/perfmet-driver.ts, spec §6.2), run unchanged against every driver.
 */
export function describePerfmetContract(label: string, makeDriver: MakePerfmetDriver): void {
  describe(`perfmet contract: ${label}`, () => {
    let driver: PerfmetDriver
    let cleanup: (() => Promise<void>) | undefined
    const day = (from: string, to: string) => driver.readJobs(at(from), at(to))

    beforeEach(async () => {
      ;({ driver, cleanup } = await makeDriver())
    })
    afterEach(async () => {
      await cleanup?.()
      await driver.close()
    })

    it('has a name and reads no jobs from empty tables', async () => {
      expect(driver.name).to.be.a('string').and.not.equal('')
      expect(await day('2019-06-02', '2019-06-03')).to.deep.equal([])
    })

    it('writes a job row and reads it back with dates in America/Chicago', async () => {
      await driver.writeJob(job())
      const jobs = await day('2019-06-02', '2019-06-03')
      expect(jobs.map(jobView)).to.deep.equal([jobView(job())])
      expect(jobs[0]?.seconds).to.be.closeTo(812.4, 1e-3)
      expect(jobs[0]?.processingDate.zoneName).to.equal(CHICAGO)
      expect(jobs[0]?.processingDate.toISO()).to.equal('2019-06-02T03:00:01.500-05:00')
    })

    it('replaces the job with the same (processing_date, data_source, stage), nulls included', async () => {
      await driver.writeJob(job())
      await driver.writeJob(job({ seconds: 1.25, records: 7, collectionStart: null, collectionEnd: null }))
      const jobs = await day('2019-06-02', '2019-06-03')
      expect(jobs.map(jobView)).to.deep.equal([
        jobView(job({ seconds: 1.25, records: 7, collectionStart: null, collectionEnd: null })),
      ])
    })

    it('keeps jobs that differ in any key column, ordered by data source then stage', async () => {
      const jobs = [
        job({ stage: 'Ready' }),
        job({ dataSource: 'GRIDSMART' }),
        job(),
        job({ processingDate: at('2019-06-02T03:00:01.501') }),
        job({ dataSource: 'Wavetronix', stage: 'Ingest' }),
      ]
      for (const value of jobs) await driver.writeJob(value)
      const found = await day('2019-06-02', '2019-06-03')
      expect(found.map((j) => `${j.dataSource}/${j.stage}`)).to.deep.equal([
        'Bluetooth/Ready',
        'Bluetooth/Standardize',
        'Bluetooth/Standardize',
        'GRIDSMART/Standardize',
        'Wavetronix/Ingest',
      ])
    })

    it('reads jobs whose processing date is in [from, to)', async () => {
      const times = [
        '2019-06-01T23:59:59.999',
        '2019-06-02',
        '2019-06-02T12:00',
        '2019-06-02T23:59:59.999',
        '2019-06-03',
      ]
      for (const [i, time] of times.entries())
        await driver.writeJob(job({ stage: `s${i}`, processingDate: at(time) }))
      const found = await day('2019-06-02', '2019-06-03')
      expect(found.map((j) => j.stage)).to.deep.equal(['s1', 's2', 's3'])
      expect(await driver.readJobs(at('2019-06-02T07:00:00Z'), at('2019-06-02T07:00:00Z'))).to.deep.equal([])
    })

    it('round-trips job dates across DST changes', async () => {
      const value = job({
        processingDate: at('2019-11-03T01:30:00.000-06:00'),
        collectionStart: at('2019-11-02'),
        collectionEnd: at('2019-11-03'),
      })
      await driver.writeJob(value)
      const [found] = await day('2019-11-03', '2019-11-04')
      expect(found && jobView(found)).to.deep.equal(jobView(value))
      expect(found?.processingDate.toISO()).to.equal('2019-11-03T01:30:00.000-06:00')
    })

    it('writes observations in batches (more than 1,000), replacing on (collection_date, data_source, data_type, sensor_name)', async () => {
      const first = Array.from({ length: 1500 }, (_, i) =>
        observation({ sensorName: `s${String(i).padStart(4, '0')}`, data: i }),
      )
      await driver.writeObservations(first)
      const second = [
        observation({ sensorName: 's0001', data: null, expected: 5, timestampMin: null, timestampMax: null }),
        observation({ sensorName: 's0001', dataType: 'Unmatched Entries', data: 2 }),
        observation({ sensorName: 's0001', dataSource: 'Bluetooth', data: 3 }),
        observation({ sensorName: 's0001', collectionDate: at('2020-09-14'), data: 4 }),
      ]
      await driver.writeObservations(second)
      const found = await driver.readObservations(at('2020-09-13'), at('2020-09-15'))
      expect(found).to.have.length(1503)
      const s0001 = found.filter((o) => o.sensorName === 's0001').map(obsView)
      expect(s0001).to.have.deep.members(second.map(obsView))
      expect(found.find((o) => o.sensorName === 's1499')?.data).to.equal(1499)
      expect(found[0]?.collectionDate.zoneName).to.equal(CHICAGO)
    })

    it('accepts an empty observation list', async () => {
      await driver.writeObservations([])
      expect(await driver.readObservations(at('2000-01-01'), at('2100-01-01'))).to.deep.equal([])
    })

    it('reports the newest job processing date, or null without jobs', async () => {
      expect(await driver.latestJobDate()).to.equal(null)
      await driver.writeJob(job())
      await driver.writeJob(job({ stage: 'Ready', processingDate: at('2019-06-03T05:00:00.25') }))
      await driver.writeJob(job({ stage: 'Ingest', processingDate: at('2019-05-30T00:30:00') }))
      const latest = await driver.latestJobDate()
      expect(latest?.toISO()).to.equal('2019-06-03T05:00:00.250-05:00')
      expect(latest?.zoneName).to.equal(CHICAGO)
    })

    it('closes idempotently', async () => {
      await driver.close()
      await driver.close()
    })
  })
}
