import { expect } from 'chai'
import { dayOfWeek, directionOf, timebin, wtSocrataRow } from '../../../src/entries/wt/socrata-row.js'
import { InputError } from '../../../src/support/errors.js'
import { md5Hex } from '../../../src/util/hash.js'

/** The §11.5 rawjson row as it stands in a ready document. */
const ROW = {
  detID: 2,
  intID: 1,
  curDateTime: '2020-09-13 00:00:00-05:00',
  intName: 'LAMARMANCHACA',
  detName: 'NB_in',
  volume: 19,
  occupancy: 0,
  speed: 34,
  status: 'Working',
  uploadSuccess: 100,
  detCountComparison: 1,
  dailyCumulative: 19,
  device_id: 'b2dabb31084f0c0417d24f4040c390ed',
}

describe('Wavetronix Socrata rows (spec §9.8)', () => {
  it('maps the §11.5 row, with the spec row_id vector 7adb356632fed326609da12cd67b462a', () => {
    const row = wtSocrataRow(ROW)
    expect(Object.keys(row)).to.deep.equal([
      'detid',
      'int_id',
      'curdatetime',
      'intname',
      'detname',
      'volume',
      'occupancy',
      'speed',
      'month',
      'day',
      'year',
      'hour',
      'minute',
      'day_of_week',
      'timebin',
      'direction',
      'row_id',
    ])
    expect(row).to.deep.equal({
      detid: 2,
      int_id: 1,
      curdatetime: '2020-09-13T00:00:00',
      intname: 'LAMARMANCHACA',
      detname: 'NB_in',
      volume: 19,
      occupancy: 0,
      speed: 34,
      month: 9,
      day: 13,
      year: 2020,
      hour: 0,
      minute: 0,
      day_of_week: 0,
      timebin: '00:00',
      direction: 'NB',
      row_id: '7adb356632fed326609da12cd67b462a',
    })
  })

  it('bins minutes to the nearest quarter hour; HH:60 only in legacy mode', () => {
    const cases: [number, number, string, string][] = [
      [0, 0, '00:00', '00:00'],
      [7, 7, '07:00', '07:00'],
      [7, 8, '07:15', '07:15'],
      [12, 22, '12:15', '12:15'],
      [12, 23, '12:30', '12:30'],
      [12, 37, '12:30', '12:30'],
      [12, 38, '12:45', '12:45'],
      [13, 52, '13:45', '13:45'],
      [13, 53, '14:00', '13:60'],
      [13, 59, '14:00', '13:60'],
      [23, 53, '00:00', '23:60'],
      [23, 59, '00:00', '23:60'],
    ]
    for (const [hour, minute, fixed, legacy] of cases) {
      expect(timebin(hour, minute), `${hour}:${minute}`).to.equal(fixed)
      expect(timebin(hour, minute, true), `${hour}:${minute} legacy`).to.equal(legacy)
    }
    const late = { ...ROW, curDateTime: '2020-09-13 23:59:00-05:00' }
    expect([wtSocrataRow(late).timebin, wtSocrataRow(late, { legacyTimebin: true }).timebin]).to.deep.equal([
      '00:00',
      '23:60',
    ])
    expect(wtSocrataRow(late).row_id).to.equal(wtSocrataRow(late, { legacyTimebin: true }).row_id)
  })

  it('numbers the weekday from Sunday = 0 to Saturday = 6', () => {
    const cases: [number, number, number, number][] = [
      [2020, 9, 13, 0],
      [2020, 9, 14, 1],
      [2020, 9, 18, 5],
      [2020, 9, 19, 6],
      [2019, 11, 3, 0],
      [2000, 2, 29, 2],
    ]
    for (const [y, m, d, expected] of cases) expect(dayOfWeek(y, m, d), `${y}-${m}-${d}`).to.equal(expected)
  })

  it('takes the direction from detName before the first "_"', () => {
    const cases: [unknown, string][] = [
      ['NB_in', 'NB'],
      ['SB_out', 'SB'],
      ['EB_L_in', 'EB'],
      ['WB', 'WB'],
      ['_in', ''],
      ['', ''],
      [null, ''],
    ]
    for (const [name, expected] of cases) expect(directionOf(name), String(name)).to.equal(expected)
  })

  it('keeps each time in its own offset: DST days, the repeated hour and its shared row_id', () => {
    const cases: [string, string, number][] = [
      ['2019-11-03 01:30:00-06:00', '2019-11-03T01:30:00', 1],
      ['2019-11-03 01:30:00-05:00', '2019-11-03T01:30:00', 1],
      ['2019-03-10 02:30:00-06:00', '2019-03-10T02:30:00', 2],
      ['2019-06-01 00:00:13.600000-05:00', '2019-06-01T00:00:13', 0],
    ]
    for (const [curDateTime, soc, hour] of cases) {
      const row = wtSocrataRow({ ...ROW, curDateTime })
      expect([row.curdatetime, row.hour], curDateTime).to.deep.equal([soc, hour])
      expect(row.row_id).to.equal(md5Hex(`LAMARMANCHACA${soc}2`))
    }
    expect(wtSocrataRow({ ...ROW, intName: null }).row_id).to.equal(md5Hex('None2020-09-13T00:00:002'))
  })

  it('refuses a row without a timestamp', () => {
    expect(() => wtSocrataRow({ ...ROW, curDateTime: 'soon' })).to.throw(InputError, /curDateTime/)
  })
})
