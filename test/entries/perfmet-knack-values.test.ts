import { expect } from 'chai'
import { DateTime } from 'luxon'
import {
  dashboardObservations,
  dashboardStage,
  hourOfDayMax,
  hourOfDayMin,
  hoursSinceDayStart,
  jobRecord,
  knackDate,
  knackRange,
  latestJobsPerStage,
  observationRecord,
  STAGE_RENAMES,
} from '../../src/entries/perfmet/knack-values.js'
import { resolveLastRunDate } from '../../src/entries/perfmet-knack.js'
import { ArgumentError } from '../../src/support/errors.js'
import type { PerfmetJob, PerfmetObservation } from '../../src/support/perfmet-driver.js'
import { fixedClock, formatPyTs, localizeWall, parseTimestamp } from '../../src/util/dates.js'

const at = (text: string): DateTime => parseTimestamp(text)
const utc = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' })
const kd = (date: string, hours: number, minutes: number, am_pm: 'AM' | 'PM') => ({
  date,
  hours,
  minutes,
  am_pm,
})

describe('perfmet-knack values: Knack date value', () => {
  const cases: [string, DateTime, ReturnType<typeof kd>][] = [
    ['local midnight is 12 AM', at('2019-06-01 00:00:00'), kd('06/01/2019', 12, 0, 'AM')],
    ['00:59 is 12:59 AM', at('2019-06-01 00:59:59'), kd('06/01/2019', 12, 59, 'AM')],
    ['01:00 is 1 AM', at('2019-06-01 01:00:00'), kd('06/01/2019', 1, 0, 'AM')],
    ['11:59 is 11:59 AM', at('2019-06-01 11:59:00'), kd('06/01/2019', 11, 59, 'AM')],
    ['noon is 12 PM', at('2019-06-01 12:00:00'), kd('06/01/2019', 12, 0, 'PM')],
    ['12:30 is 12:30 PM', at('2019-06-01 12:30:00'), kd('06/01/2019', 12, 30, 'PM')],
    ['13:05 is 1:05 PM', at('2019-06-01 13:05:00'), kd('06/01/2019', 1, 5, 'PM')],
    ['23:59 is 11:59 PM', at('2019-12-31 23:59:00'), kd('12/31/2019', 11, 59, 'PM')],
    ['a UTC instant is shown in Central time', utc('2019-06-01T04:59:00Z'), kd('05/31/2019', 11, 59, 'PM')],
    [
      'an offset instant is shown in Central time',
      at('2019-06-01T08:00:00-04:00'),
      kd('06/01/2019', 7, 0, 'AM'),
    ],
    ['2019-03-10 01:59 CST', utc('2019-03-10T07:59:00Z'), kd('03/10/2019', 1, 59, 'AM')],
    [
      '2019-03-10: the instant after 01:59:59 CST is 3 AM CDT',
      utc('2019-03-10T08:00:00Z'),
      kd('03/10/2019', 3, 0, 'AM'),
    ],
    [
      '2019-03-10 02:30 (non-existent wall time, kept at -06:00) is 3:30 AM CDT',
      localizeWall({ year: 2019, month: 3, day: 10, hour: 2, minute: 30 }),
      kd('03/10/2019', 3, 30, 'AM'),
    ],
    ['2019-03-10 noon CDT', at('2019-03-10 12:00:00'), kd('03/10/2019', 12, 0, 'PM')],
    ['2019-11-03 first 01:30 (CDT)', utc('2019-11-03T06:30:00Z'), kd('11/03/2019', 1, 30, 'AM')],
    ['2019-11-03 second 01:30 (CST)', utc('2019-11-03T07:30:00Z'), kd('11/03/2019', 1, 30, 'AM')],
    ['2019-11-03 02:00 CST', utc('2019-11-03T08:00:00Z'), kd('11/03/2019', 2, 0, 'AM')],
    ['2019-11-03 midnight (CDT)', at('2019-11-03 00:00:00'), kd('11/03/2019', 12, 0, 'AM')],
    ['seconds are dropped', at('2019-06-01 15:45:59.999'), kd('06/01/2019', 3, 45, 'PM')],
  ]
  for (const [name, input, expected] of cases) {
    it(name, () => expect(knackDate(input)).to.deep.equal(expected))
  }

  it('takes another zone when asked', () => {
    expect(knackDate(utc('2019-06-01T12:00:00Z'), 'UTC')).to.deep.equal(kd('06/01/2019', 12, 0, 'PM'))
  })

  it('refuses an invalid DateTime', () => {
    expect(() => knackDate(DateTime.invalid('broken'))).to.throw(RangeError, /Invalid date for Knack/)
  })

  it('builds a range value of one from/to pair', () => {
    expect(knackRange(at('2019-06-01 00:00:00'), at('2019-06-02 00:00:00'))).to.deep.equal({
      times: [{ from: kd('06/01/2019', 12, 0, 'AM'), to: kd('06/02/2019', 12, 0, 'AM') }],
    })
  })
})

describe('perfmet-knack values: hours since the collection day began', () => {
  const cases: [string, string, string, number, number, number][] = [
    // name, collection date, timestamp, hours, min value, max value
    ['ordinary day, 06:30', '2019-06-01 00:00:00', '2019-06-01 06:30:00', 6.5, 6.5, 6.5],
    ['ordinary day, midnight', '2019-06-01 00:00:00', '2019-06-01 00:00:00', 0, 0, 0],
    ['before the day: min clamps to 0', '2019-06-01 00:00:00', '2019-05-31 23:00:00', -1, 0, -1],
    ['after the day: max clamps to 24', '2019-06-01 00:00:00', '2019-06-02 01:00:00', 25, 25, 24],
    ['20 minutes past 3', '2019-06-01 00:00:00', '2019-06-01 03:20:00', 3 + 1 / 3, 3 + 1 / 3, 3 + 1 / 3],
    ['2019-03-10 noon CDT is 11 real hours', '2019-03-10 00:00:00', '2019-03-10 12:00:00', 11, 11, 11],
    ['2019-03-10 01:30 CST', '2019-03-10 00:00:00', '2019-03-10 01:30:00', 1.5, 1.5, 1.5],
    ['2019-03-10 ends after 23 hours', '2019-03-10 00:00:00', '2019-03-11 00:00:00', 23, 23, 23],
    ['2019-11-03 noon CST is 13 real hours', '2019-11-03 00:00:00', '2019-11-03 12:00:00', 13, 13, 13],
    ['2019-11-03 23:30 CST is 24.5 hours', '2019-11-03 00:00:00', '2019-11-03 23:30:00', 24.5, 24.5, 24],
    [
      'a time-of-day collection date counts from true midnight',
      '2019-03-10 12:00:00',
      '2019-03-10 03:00:00',
      2,
      2,
      2,
    ],
  ]
  for (const [name, day, ts, hours, min, max] of cases) {
    it(name, () => {
      expect(hoursSinceDayStart(at(ts), at(day))).to.be.closeTo(hours, 1e-12)
      expect(hourOfDayMin(at(ts), at(day))).to.be.closeTo(min, 1e-12)
      expect(hourOfDayMax(at(ts), at(day))).to.be.closeTo(max, 1e-12)
    })
  }
})

describe('perfmet-knack values: stage renames', () => {
  const cases: [string, string][] = [
    ['Socrata Agg.', 'Socrata'],
    ['Ingest', 'a. Ingest'],
    ['Standardize', 'b. Standardize'],
    ['Ready', 'c. Ready'],
    ['Aggregate', 'd. Aggregate'],
    ['Publish', 'e. Publish'],
    ['Socrata', 'Socrata'],
    ['ingest', 'ingest'],
    ['toString', 'toString'],
    ['b. Standardize', 'b. Standardize'],
  ]
  for (const [stage, shown] of cases) {
    it(`${JSON.stringify(stage)} → ${JSON.stringify(shown)}`, () =>
      expect(dashboardStage(stage)).to.equal(shown))
  }
  it('lists exactly the six renames of the spec', () => expect(Object.keys(STAGE_RENAMES)).to.have.length(6))
})

const job = (
  dataSource: string,
  stage: string,
  processed: string,
  extra: Partial<PerfmetJob> = {},
): PerfmetJob => ({
  dataSource,
  stage,
  seconds: 1.5,
  records: 3,
  processingDate: at(processed),
  collectionStart: null,
  collectionEnd: null,
  ...extra,
})

describe('perfmet-knack values: job records', () => {
  it('keeps the last job per source and stage, renamed, in processing order', () => {
    const jobs = [
      job('Bluetooth', 'Ingest', '2019-06-02 08:00:00', { records: 1 }),
      job('Bluetooth', 'Ingest', '2019-06-02 06:00:00', { records: 2 }),
      job('GRIDSMART', 'Ingest', '2019-06-02 07:00:00'),
      job('Bluetooth', 'Standardize', '2019-06-02 05:00:00'),
    ]
    const kept = latestJobsPerStage(jobs)
    expect(kept.map((j) => [j.dataSource, j.stage, j.records])).to.deep.equal([
      ['Bluetooth', 'b. Standardize', 3],
      ['GRIDSMART', 'a. Ingest', 3],
      ['Bluetooth', 'a. Ingest', 1],
    ])
  })

  it('maps the fields and adds the collection range only when collection_start is set', () => {
    const bare = job('Wavetronix', 'c. Ready', '2019-06-02 13:15:00', { seconds: Number.NaN })
    expect(jobRecord(bare)).to.deep.equal({
      field_9: 'Wavetronix',
      field_10: 'c. Ready',
      field_11: null,
      field_12: 3,
      field_13: kd('06/02/2019', 1, 15, 'PM'),
    })
    const ranged = {
      ...bare,
      collectionStart: at('2019-05-31 00:00:00'),
      collectionEnd: at('2019-06-02 00:00:00'),
    }
    expect(jobRecord(ranged).field_14).to.deep.equal({
      times: [{ from: kd('05/31/2019', 12, 0, 'AM'), to: kd('06/02/2019', 12, 0, 'AM') }],
    })
    const open = { ...bare, collectionStart: at('2019-05-31 00:00:00') }
    expect(jobRecord(open).field_14).to.deep.equal({
      times: [{ from: kd('05/31/2019', 12, 0, 'AM'), to: kd('05/31/2019', 12, 0, 'AM') }],
    })
  })
})

const obs = (
  sensorName: string,
  day: string,
  data: number | null,
  extra: Partial<PerfmetObservation> = {},
) => ({
  dataSource: 'Bluetooth',
  sensorName,
  dataType: 'Unmatched Entries',
  data,
  expected: null,
  collectionDate: at(day),
  timestampMin: null,
  timestampMax: null,
  ...extra,
})

describe('perfmet-knack values: dashboard observations', () => {
  const late = at('2019-06-08 00:00:00')

  it('takes each sensor latest row, marks stopped sensors with -1 and averages the window', () => {
    const rows = [
      obs('b', '2019-06-05 00:00:00', 10),
      obs('b', '2019-06-07 00:00:00', 20),
      obs('a', '2019-06-02 00:00:00', 1),
      obs('a', '2019-06-04 00:00:00', 5),
      obs('c', '2019-06-08 00:00:00', null),
      obs('c', '2019-06-06 00:00:00', 7),
    ]
    const shown = dashboardObservations(rows, late)
    expect(
      shown.map((o) => [o.row.sensorName, o.row.collectionDate.day, o.data, o.expected, o.stopped]),
    ).to.deep.equal([
      ['a', 4, -1, 3, true],
      ['b', 7, 20, 15, false],
      ['c', 8, null, 7, false],
    ])
  })

  it('counts the window end and the day before it as recent (both inclusive)', () => {
    const just = dashboardObservations([obs('x', '2019-06-07 00:00:00', 4)], late)
    expect(just[0]?.data).to.equal(4)
    const before = dashboardObservations([obs('x', '2019-06-06 23:59:59', 4)], late)
    expect(before[0]?.data).to.equal(-1)
  })

  it('uses the wall-clock day before the window end on a DST day (25 real hours back on 2019-11-03)', () => {
    const shown = dashboardObservations([obs('x', '2019-11-03 00:00:00', 9)], at('2019-11-04 00:00:00'))
    expect(shown[0]?.data).to.equal(9)
    const spring = dashboardObservations([obs('x', '2019-03-10 00:00:00', 9)], at('2019-03-11 00:00:00'))
    expect(spring[0]?.data).to.equal(9)
  })

  it('gives a null expected value when every data value is null', () => {
    expect(dashboardObservations([obs('x', '2019-06-07 00:00:00', null)], late)[0]?.expected).to.equal(null)
  })

  it('maps the observation fields, range and hour values', () => {
    const row = obs('R1', '2019-06-07 00:00:00', 12, {
      timestampMin: at('2019-06-06 23:30:00'),
      timestampMax: at('2019-06-07 18:45:00'),
    })
    expect(observationRecord({ row, data: 12, expected: 8.5, stopped: false })).to.deep.equal({
      field_15: 'Bluetooth',
      field_16: 'R1',
      field_17: 'Unmatched Entries',
      field_18: 12,
      field_19: 8.5,
      field_20: kd('06/07/2019', 12, 0, 'AM'),
      field_21: { times: [{ from: kd('06/06/2019', 11, 30, 'PM'), to: kd('06/07/2019', 6, 45, 'PM') }] },
      field_23: 0,
      field_24: 18.75,
    })
    expect(
      observationRecord({ row: obs('R2', '2019-06-07 00:00:00', 1), data: 1, expected: 1, stopped: false }),
    ).to.not.have.any.keys('field_21', 'field_23', 'field_24')
  })
})

describe('perfmet-knack values: the -r last run date', () => {
  const clock = fixedClock('2019-06-09 09:30:00')
  const cases: [string, string | number | null | undefined, string][] = [
    ['absent: yesterday midnight', undefined, '2019-06-08 00:00:00-05:00'],
    ['null: yesterday midnight', null, '2019-06-08 00:00:00-05:00'],
    ['blank: yesterday midnight', '  ', '2019-06-08 00:00:00-05:00'],
    ['"0": the earliest time', '0', '2000-01-01 00:00:00-06:00'],
    ['0: the earliest time', 0, '2000-01-01 00:00:00-06:00'],
    ['a time of day is cut to its date', '2019-06-05 15:00:00', '2019-06-05 00:00:00-05:00'],
    ['YYYYMMDD', '20190605', '2019-06-05 00:00:00-05:00'],
  ]
  for (const [name, value, expected] of cases) {
    it(name, () => expect(formatPyTs(resolveLastRunDate(value, clock))).to.equal(expected))
  }
  it('yesterday of a day after spring-forward is that midnight in CST', () => {
    const yesterday = resolveLastRunDate(undefined, fixedClock('2019-03-11 00:30:00'))
    expect(formatPyTs(yesterday)).to.equal('2019-03-10 00:00:00-06:00')
  })
  it('rejects an unparseable date', () => {
    expect(() => resolveLastRunDate('yesterday', clock)).to.throw(
      ArgumentError,
      /Cannot parse date "yesterday"/,
    )
  })
})
