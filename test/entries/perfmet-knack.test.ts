import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { createKnackClient } from '../../src/drivers/knack/client.js'
import { PerfmetKnackError, runPerfmetKnack } from '../../src/entries/perfmet-knack.js'
import { fixedClock } from '../../src/util/dates.js'
import { createLogSink } from '../helpers/log-sink.js'
import {
  BT,
  COUNTS,
  EXPECTED_JOBS,
  EXPECTED_OBSERVATIONS,
  GS,
  held,
  job,
  OLD_JOBS,
  OLD_OBSERVATIONS,
  useKnackHarness,
} from './perfmet-knack-fixtures.js'

use(chaiAsPromised)

describe('perfmet-knack: export to the Knack dashboard (PGlite perfmet, Knack emulator)', () => {
  const h = useKnackHarness()

  it('replaces the dashboard with the newest day: renamed stages, ranges, means, -1 for a stopped sensor', async () => {
    await h.fill()
    const { logger, lines } = createLogSink()
    const summary = await runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger,
    })

    expect(held(h.emu, 'scene_4', 'view_4')).to.deep.equal(EXPECTED_JOBS)
    expect(held(h.emu, 'scene_5', 'view_5')).to.deep.equal(EXPECTED_OBSERVATIONS)
    expect(summary.day.toISO()).to.equal('2019-06-08T00:00:00.000-05:00')
    expect(summary).to.deep.include({
      deleted: { jobs: 2, observations: 3 },
      jobsCreated: 9,
      observationsCreated: 5,
      stoppedSensors: 1,
    })
    expect(summary.skipped).to.deep.equal([
      {
        dataSource: GS,
        dataType: COUNTS,
        reason: 'no-standardize-job',
        message: "No 'GRIDSMART'/'b. Standardize' job with a collection end was found for that day",
      },
    ])
    const warning = lines.find((line) => line.level === 40)
    expect(warning).to.include({ dataSource: GS, reason: 'no-standardize-job' })

    const firstJob = h.emu.requests.find((r) => r.method === 'POST' && r.path.endsWith('/view_4/records'))
    expect(firstJob?.body).to.deep.equal({
      field_9: BT,
      field_10: 'a. Ingest',
      field_11: 3.25,
      field_12: 2,
      field_13: { date: '06/08/2019', hours: 7, minutes: 0, am_pm: 'AM' },
      field_14: {
        times: [
          {
            from: { date: '06/07/2019', hours: 12, minutes: 0, am_pm: 'AM' },
            to: { date: '06/08/2019', hours: 12, minutes: 0, am_pm: 'AM' },
          },
        ],
      },
    })
    expect(firstJob?.headers['x-knack-rest-api-key']).to.equal('knack')
  })

  it('reads both views, deletes every old record (observations first, then jobs) before creating', async () => {
    await h.fill()
    await runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger: createLogSink().logger,
    })
    const steps = h.emu.requests.map((r) => `${r.method} ${r.path.split('/').slice(-3).join('/')}`)
    const firstDelete = steps.findIndex((s) => s.startsWith('DELETE'))
    const firstPost = steps.findIndex((s) => s.startsWith('POST'))
    expect(steps.slice(0, firstDelete)).to.deep.equal([
      'GET views/view_4/records',
      'GET views/view_5/records',
    ])
    expect(steps.slice(firstDelete, firstPost)).to.deep.equal([
      'DELETE view_5/records/bbbbbbbbbbbbbbbbbbbbbb01',
      'DELETE view_5/records/bbbbbbbbbbbbbbbbbbbbbb02',
      'DELETE view_5/records/bbbbbbbbbbbbbbbbbbbbbb03',
      'DELETE view_4/records/aaaaaaaaaaaaaaaaaaaaaa01',
      'DELETE view_4/records/aaaaaaaaaaaaaaaaaaaaaa02',
    ])
    expect(steps.slice(firstPost)).to.deep.equal([
      ...Array(9).fill('POST views/view_4/records'),
      ...Array(5).fill('POST views/view_5/records'),
    ])
    const ids = [...h.emu.viewRecords('scene_4', 'view_4'), ...h.emu.viewRecords('scene_5', 'view_5')].map(
      (r) => r.id,
    )
    expect(ids).to.not.include.members([...OLD_JOBS, ...OLD_OBSERVATIONS].map((r) => r.id))
  })

  it('refuses without touching Knack when there are no job rows', async () => {
    const run = runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger: createLogSink().logger,
    })
    await expect(run)
      .to.be.rejectedWith(PerfmetKnackError, 'No recent processing date')
      .and.eventually.include({
        reason: 'no-jobs',
        code: 'E_NOT_FOUND',
      })
    expect(h.emu.requests).to.have.length(0)
    expect(held(h.emu, 'scene_4', 'view_4')).to.have.length(2)
  })

  it('refuses when the newest job day is before -r, or before yesterday by default', async () => {
    await h.fill()
    const logger = createLogSink().logger
    const late = runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger,
      lastRunDate: '2019-06-09',
    })
    await expect(late).to.be.rejectedWith(
      PerfmetKnackError,
      /No processing date exists after 2019-06-09 00:00:00-05:00/,
    )
    const byDefault = runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-10 09:30:00'),
      logger,
    })
    await expect(byDefault).to.be.rejectedWith(PerfmetKnackError).and.eventually.include({ reason: 'stale' })
    expect(h.emu.requests).to.have.length(0)

    const sameDay = await runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-10 09:30:00'),
      logger,
      lastRunDate: '2019-06-08 23:00:00',
    })
    expect(sameDay.jobsCreated).to.equal(9)
    const earliest = await runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2020-01-01'),
      logger,
      lastRunDate: '0',
    })
    expect(earliest.deleted).to.deep.equal({ jobs: 9, observations: 5 })
    expect(held(h.emu, 'scene_4', 'view_4')).to.deep.equal(EXPECTED_JOBS)
  })

  it('skips a source whose window holds no observations, with a warning', async () => {
    await h.fill()
    await h.perfmet.writeJob(
      job(GS, 'Standardize', '2019-06-08 09:10:00', 5, 1, ['2019-05-01', '2019-05-02']),
    )
    const { logger, lines } = createLogSink()
    const summary = await runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger,
    })
    expect(summary.skipped.map((s) => [s.dataSource, s.reason])).to.deep.equal([[GS, 'no-observations']])
    expect(
      lines.some((l) => l.level === 40 && String(l.msg).includes("No observations found for 'GRIDSMART'")),
    ).to.equal(true)
    expect(held(h.emu, 'scene_5', 'view_5')).to.deep.equal(EXPECTED_OBSERVATIONS)
  })

  it('retries Knack 429 and 503 answers without duplicate records, and treats a re-deleted record as gone', async () => {
    await h.fill()
    h.emu.failNext(1, { status: 503, method: 'GET', path: 'view_5' })
    h.emu.applyThenFail(1, 503)
    h.emu.failNext(2, { status: 429, method: 'POST', path: 'view_4' })
    h.emu.failNext(1, { status: 503, method: 'POST', path: 'view_5' })
    const summary = await runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger: createLogSink().logger,
    })
    expect(held(h.emu, 'scene_4', 'view_4')).to.deep.equal(EXPECTED_JOBS)
    expect(held(h.emu, 'scene_5', 'view_5')).to.deep.equal(EXPECTED_OBSERVATIONS)
    expect(summary.deleted).to.deep.equal({ jobs: 2, observations: 3 })
    const statuses = h.emu.requests.map((r) => `${r.method} ${r.status}`)
    expect(statuses.filter((s) => s === 'POST 429')).to.have.length(2)
    expect(statuses.filter((s) => s === 'POST 503' || s === 'GET 503' || s === 'DELETE 503')).to.have.length(
      3,
    )
    expect(statuses.filter((s) => s === 'DELETE 404')).to.have.length(1)
    expect(statuses.filter((s) => s === 'POST 200')).to.have.length(14)
  })

  it('raises the Knack error when a request keeps failing (the original swallowed it)', async () => {
    await h.fill()
    const failing = createKnackClient({
      baseUrl: h.emu.url,
      appId: h.emu.appId,
      retries: 1,
      minDelayMs: 5,
      maxDelayMs: 5,
    })
    h.emu.failNext(2, { status: 503, method: 'POST', path: 'view_4' })
    const run = runPerfmetKnack({
      perfmet: h.perfmet,
      knack: failing,
      clock: fixedClock('2019-06-09 09:30:00'),
      logger: createLogSink().logger,
    })
    await expect(run).to.be.rejectedWith(/Knack POST .*view_4\/records failed after 2 attempts: HTTP 503/)
    expect(held(h.emu, 'scene_4', 'view_4')).to.have.length(0)
  })
})
