import { expect } from 'chai'
import { DateTime } from 'luxon'
import { runPerfmetKnack } from '../../src/entries/perfmet-knack.js'
import type { PerfmetJob } from '../../src/support/perfmet-driver.js'
import { fixedClock } from '../../src/util/dates.js'
import { createLogSink } from '../helpers/log-sink.js'
import { at, BT, date, held, job, obs, range, UNMATCHED, useKnackHarness } from './perfmet-knack-fixtures.js'

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })

describe('perfmet-knack: DST days end to end', () => {
  const h = useKnackHarness()
  const run = (now: string) =>
    runPerfmetKnack({
      perfmet: h.perfmet,
      knack: h.knack,
      clock: fixedClock(now),
      logger: createLogSink().logger,
      sources: [{ dataSource: BT, dataType: UNMATCHED }],
    })

  it('2019-03-10 (23 hours): real elapsed hours, a wall-clock 7-day window and a wall-clock yesterday', async () => {
    await h.perfmet.writeJob(
      job(BT, 'Standardize', '2019-03-11 07:00:00', 1, 1, ['2019-03-10', '2019-03-11']),
    )
    await h.perfmet.writeObservations([
      obs(BT, UNMATCHED, 'DST reader', '2019-03-04', 1000),
      obs(BT, UNMATCHED, 'DST reader', '2019-03-10', 10, ['2019-03-10 01:30:00', '2019-03-10 23:30:00']),
      obs(BT, UNMATCHED, 'Quiet reader', '2019-03-09', 3),
    ])
    const summary = await run('2019-03-11 09:30:00')
    expect(summary.stoppedSensors).to.equal(1)
    expect(held(h.emu, 'scene_5', 'view_5')).to.deep.equal([
      {
        field_15: BT,
        field_16: 'DST reader',
        field_17: UNMATCHED,
        field_18: 10,
        field_19: 10,
        field_20: date('2019-03-10'),
        field_21: range('2019-03-10 01:30', '2019-03-10 23:30'),
        field_22: null,
        field_23: 1.5,
        field_24: 22.5,
      },
      {
        field_15: BT,
        field_16: 'Quiet reader',
        field_17: UNMATCHED,
        field_18: -1,
        field_19: 3,
        field_20: date('2019-03-09'),
        field_21: null,
        field_22: null,
        field_23: null,
        field_24: null,
      },
    ])
  })

  it('2019-11-03 (25 hours): both 1:30 AM passes show as 1:30 AM; the day runs to 11:30 PM CST', async () => {
    const rows: PerfmetJob[] = [
      { ...job(BT, 'Ingest', '2019-11-03 00:00:00', 1, 1), processingDate: utc('2019-11-03T06:30:00Z') },
      { ...job(BT, 'Ready', '2019-11-03 00:00:00', 2, 2), processingDate: utc('2019-11-03T07:30:00Z') },
      job(BT, 'Standardize', '2019-11-03 23:30:00', 3, 3, ['2019-11-02', '2019-11-03']),
    ]
    for (const row of rows) await h.perfmet.writeJob(row)
    await h.perfmet.writeObservations([
      obs(BT, UNMATCHED, 'Fall reader', '2019-10-27', 100),
      obs(BT, UNMATCHED, 'Fall reader', '2019-11-02', 5, ['2019-11-02 00:00:00', '2019-11-03 01:30:00']),
    ])
    const summary = await run('2019-11-04 09:30:00')
    expect(summary.day.toISO()).to.equal('2019-11-03T00:00:00.000-05:00')
    const processed = h.emu.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/view_4/records'))
      .map((r) => (r.body as Record<string, unknown>).field_13)
    expect(processed).to.deep.equal([
      { date: '11/03/2019', hours: 1, minutes: 30, am_pm: 'AM' },
      { date: '11/03/2019', hours: 1, minutes: 30, am_pm: 'AM' },
      { date: '11/03/2019', hours: 11, minutes: 30, am_pm: 'PM' },
    ])
    const [shown] = held(h.emu, 'scene_5', 'view_5')
    expect(shown).to.include({ field_18: 5, field_19: 5, field_23: 0, field_24: 24 })
    expect(at('2019-11-03 01:30:00').offset).to.equal(-360)
  })
})
