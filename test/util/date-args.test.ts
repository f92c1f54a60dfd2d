import { expect } from 'chai'
import { DateTime } from 'luxon'
import { ArgumentError } from '../../src/support/errors.js'
import {
  createWallTimeParser,
  EARLIEST_TIME,
  fixedClock,
  formatPyTs,
  LOCAL_ZONE,
  localizeWall,
  nowLocal,
  parseAwamMinute,
  parseAwamTime,
  parseDateArg,
  parseStartDateArg,
  parseWallTime,
  startOfLocalDay,
  systemClock,
} from '../../src/util/dates.js'

const wall = (text: string, zone = LOCAL_ZONE) => {
  const [date = '', time = '00:00:00'] = text.split(' ')
  const [year = 0, month = 0, day = 0] = date.split('-').map(Number)
  const [hour = 0, minute = 0, second = 0] = time.split(':').map(Number)
  return localizeWall({ year, month, day, hour, minute, second }, zone)
}
const py = (dt: DateTime | null) => (dt === null ? null : formatPyTs(dt))
const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })
const hoursBetween = (a: DateTime, b: DateTime) => (b.toMillis() - a.toMillis()) / 3_600_000

describe('dates: parseDateArg (-r/-s/-e)', () => {
  const earliest = ['0', '', '   ', ' 0 ', 0, null, undefined]
  for (const value of earliest) {
    it(`${JSON.stringify(value)} → EARLIEST_TIME`, () => {
      expect(parseDateArg(value, { dateOnly: true }).equals(EARLIEST_TIME)).to.equal(true)
      expect(parseDateArg(value, { dateOnly: false }).equals(EARLIEST_TIME)).to.equal(true)
    })
  }

  const cases: [string | number, string, string][] = [
    ['1559365200', '2019-06-01 00:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    [' 1559390400 ', '2019-06-01 07:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    [1559390400, '2019-06-01 07:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    [1559433600, '2019-06-01 19:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['1552233600', '2019-03-10 11:00:00-05:00', '2019-03-10 00:00:00-06:00'],
    ['20190601', '2019-06-01 00:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01', '2019-06-01 00:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01 08:00:00', '2019-06-01 08:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T08:00:00', '2019-06-01 08:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T08:00:00-05:00', '2019-06-01 08:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T08:00:00-04:00', '2019-06-01 07:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T03:00:00Z', '2019-05-31 22:00:00-05:00', '2019-05-31 00:00:00-05:00'],
    ['2019-06-01 03:00:00 UTC', '2019-05-31 22:00:00-05:00', '2019-05-31 00:00:00-05:00'],
    ['2019-03-10', '2019-03-10 00:00:00-06:00', '2019-03-10 00:00:00-06:00'],
    ['2019-03-10 12:00:00', '2019-03-10 12:00:00-05:00', '2019-03-10 00:00:00-06:00'],
    ['2019-11-03 12:00:00', '2019-11-03 12:00:00-06:00', '2019-11-03 00:00:00-05:00'],
    ['2019-03-10 02:30:00', '2019-03-10 02:30:00-06:00', '2019-03-10 00:00:00-06:00'],
  ]
  for (const [value, plain, dateOnly] of cases) {
    it(`${JSON.stringify(value)} → ${plain} / dateOnly ${dateOnly}`, () => {
      expect(formatPyTs(parseDateArg(value, { dateOnly: false }))).to.equal(plain)
      expect(formatPyTs(parseDateArg(value, { dateOnly: true }))).to.equal(dateOnly)
    })
  }

  it('reads naive values in the zone option', () => {
    expect(py(parseDateArg('2019-06-01 08:00', { dateOnly: false, zone: 'UTC' }))).to.equal(
      '2019-06-01 08:00:00+00:00',
    )
    expect(py(parseDateArg('0', { dateOnly: false, zone: 'UTC' }))).to.equal('2000-01-01 00:00:00+00:00')
  })

  const junk: (string | number)[] = [
    'yesterday',
    '2019-13-01',
    '2019/06/01',
    '1e9',
    '-5',
    Number.NaN,
    Infinity,
    1e15,
  ]
  for (const value of junk) {
    it(`throws ArgumentError naming ${String(value)} and the accepted forms`, () => {
      expect(() => parseDateArg(value, { dateOnly: true }))
        .to.throw(ArgumentError)
        .with.property('message')
        .that.includes(typeof value === 'string' ? JSON.stringify(value) : String(value))
        .and.includes('YYYY-MM-DD')
    })
  }
})

describe('dates: parseStartDateArg', () => {
  const now = wall('2019-03-12 10:00:00')
  const cases: [string | number, DateTime, boolean, string][] = [
    ['0', now, true, '2019-03-12 00:00:00-05:00'],
    ['1', now, true, '2019-03-11 00:00:00-05:00'],
    ['2', now, true, '2019-03-10 00:00:00-06:00'],
    [3, now, true, '2019-03-09 00:00:00-06:00'],
    [' 2 ', now, false, '2019-03-10 00:00:00-06:00'],
    ['-1', now, true, '2019-03-13 00:00:00-05:00'],
    ['1', wall('2019-11-04 08:00:00'), true, '2019-11-03 00:00:00-05:00'],
    ['2', wall('2019-11-04 08:00:00'), true, '2019-11-02 00:00:00-05:00'],
    ['0', utc('2019-03-12T04:00:00'), true, '2019-03-11 00:00:00-05:00'],
    ['60', wall('2019-06-01 23:59:59'), true, '2019-04-02 00:00:00-05:00'],
    ['20190601', now, true, '2019-06-01 00:00:00-05:00'],
    ['1559390400', now, false, '2019-06-01 07:00:00-05:00'],
    [1559390400, now, true, '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T08:00:00', now, false, '2019-06-01 08:00:00-05:00'],
    ['2019-06-01T08:00:00', now, true, '2019-06-01 00:00:00-05:00'],
  ]
  for (const [value, at, dateOnly, expected] of cases) {
    it(`${JSON.stringify(value)} at ${formatPyTs(at)} (dateOnly ${dateOnly}) → ${expected}`, () => {
      expect(formatPyTs(parseStartDateArg(value, { now: at, dateOnly }))).to.equal(expected)
    })
  }

  it('counts N days back across a DST change on the wall clock (23 h day)', () => {
    const back = parseStartDateArg('1', { now: wall('2019-03-11 00:30:00'), dateOnly: true })
    expect(hoursBetween(back, startOfLocalDay(wall('2019-03-11 00:30:00')))).to.equal(23)
  })

  it('rejects junk through parseDateArg', () => {
    expect(() => parseStartDateArg('soon', { now, dateOnly: true })).to.throw(ArgumentError, /"soon"/)
  })
})

describe('dates: AWAM and wall-time parsers', () => {
  const seconds: [string, string | null][] = [
    ['06/01/2019 12:00:00 AM', '2019-06-01 00:00:00-05:00'],
    ['06/01/2019 12:59:59 AM', '2019-06-01 00:59:59-05:00'],
    ['06/01/2019 12:30:00 PM', '2019-06-01 12:30:00-05:00'],
    ['06/01/2019 01:00:00 PM', '2019-06-01 13:00:00-05:00'],
    ['06/01/2019 11:59:59 AM', '2019-06-01 11:59:59-05:00'],
    ['5/31/2019 11:48:20 PM', '2019-05-31 23:48:20-05:00'],
    ['5/31/2019 11:59:46 pm', '2019-05-31 23:59:46-05:00'],
    ['1/2/2019 3:4:5 AM', '2019-01-02 03:04:05-06:00'],
    ['11/03/2019 01:30:00 AM', '2019-11-03 01:30:00-06:00'],
    ['03/10/2019 02:30:00 AM', '2019-03-10 02:30:00-06:00'],
    ['', null],
    ['06/01/2019 13:00:00 PM', null],
    ['06/01/2019 00:30:00 AM', null],
    ['13/01/2019 01:00:00 AM', null],
    ['02/30/2019 01:00:00 AM', null],
    ['06/01/2019 12:00:60 AM', null],
    ['06/01/2019 12:00:00', null],
    ['06/01/2019 12:00 AM', null],
    ['06/01/19 12:00:00 AM', null],
    ['2019-06-01 00:00:00', null],
    [' 06/01/2019 12:00:00 AM', null],
    ['06/01/2019 12:00:00AM', null],
    ['06/01/2019 12:00:00 XM', null],
  ]
  for (const [text, expected] of seconds) {
    it(`parseAwamTime(${JSON.stringify(text)}) → ${expected}`, () =>
      expect(py(parseAwamTime(text))).to.equal(expected))
  }

  const minutes: [string, string | null][] = [
    ['6/1/2019 12:00 AM', '2019-06-01 00:00:00-05:00'],
    ['6/1/2019 12:15 PM', '2019-06-01 12:15:00-05:00'],
    ['06/01/2019 11:45 PM', '2019-06-01 23:45:00-05:00'],
    ['6/1/2019 12:00:00 AM', null],
    ['6/1/2019 0:15 AM', null],
    ['6/1/2019 12:15', null],
  ]
  for (const [text, expected] of minutes) {
    it(`parseAwamMinute(${JSON.stringify(text)}) → ${expected}`, () =>
      expect(py(parseAwamMinute(text))).to.equal(expected))
  }

  const generic: [string, string, string | null][] = [
    ['06/01/2019 12:00:00 AM', 'M/d/yyyy h:mm:ss a', '2019-06-01 00:00:00-05:00'],
    ['06/01/2019 12:00:00 AM', 'MM/dd/yyyy hh:mm:ss a', '2019-06-01 00:00:00-05:00'],
    ['6/1/2019 12:00 PM', 'M/d/yyyy h:mm a', '2019-06-01 12:00:00-05:00'],
    ['2019-11-03 01:30:00', 'yyyy-MM-dd HH:mm:ss', '2019-11-03 01:30:00-06:00'],
    ['2019-03-10 02:30:00', 'yyyy-MM-dd HH:mm:ss', '2019-03-10 02:30:00-06:00'],
    ['2019-06-01 7:05', 'yyyy-MM-dd H:mm', '2019-06-01 07:05:00-05:00'],
    ['2019-06-01 25:00:00', 'yyyy-MM-dd HH:mm:ss', null],
    ['garbage', 'yyyy-MM-dd HH:mm:ss', null],
  ]
  for (const [text, format, expected] of generic) {
    it(`parseWallTime(${JSON.stringify(text)}, ${JSON.stringify(format)}) → ${expected}`, () => {
      expect(py(parseWallTime(text, format))).to.equal(expected)
    })
  }

  it('parseWallTime honours the zone argument', () => {
    expect(py(parseWallTime('6/1/2019 1:00:00 PM', 'M/d/yyyy h:mm:ss a', 'UTC'))).to.equal(
      '2019-06-01 13:00:00+00:00',
    )
  })

  it('createWallTimeParser gives the same results as the one-shot parsers, also around DST days', () => {
    const texts: string[] = []
    for (let day = 0; day < 400; day += 1) {
      const date = DateTime.utc(2019, 1, 1).plus({ days: day })
      for (const clock of ['12:00:00 AM', '1:30:00 AM', '2:30:00 AM', '11:59:59 PM']) {
        texts.push(`${date.month}/${date.day}/${date.year} ${clock}`)
      }
    }
    texts.push('not a time', '2/29/2019 1:00:00 AM')
    const parser = createWallTimeParser('M/d/yyyy h:mm:ss a')
    for (const text of texts) {
      const expected = parseAwamTime(text)
      const got = parser.parse(text)
      expect(py(got), text).to.equal(py(expected))
      expect(got?.zoneName, text).to.equal(expected?.zoneName)
      expect(parser.toPyTs(text), text).to.equal(py(expected))
    }
  })

  it('createWallTimeParser also serves generic formats and other zones', () => {
    const parser = createWallTimeParser('yyyy-MM-dd HH:mm:ss', 'Europe/Berlin')
    expect(parser.toPyTs('2019-10-27 02:30:00')).to.equal('2019-10-27 02:30:00+01:00')
    expect(parser.toPyTs('2019-07-01 12:00:00')).to.equal('2019-07-01 12:00:00+02:00')
    expect(parser.parse('nope')).to.equal(null)
  })
})

describe('dates: clocks', () => {
  it('fixedClock reads naive text as Central and returns Central time', () => {
    const clock = fixedClock('2019-06-01 08:00:00')
    expect(formatPyTs(clock.now())).to.equal('2019-06-01 08:00:00-05:00')
    expect(clock.now().zoneName).to.equal('America/Chicago')
    expect(formatPyTs(fixedClock(utc('2019-06-01T05:00:00')).now())).to.equal('2019-06-01 00:00:00-05:00')
    expect(formatPyTs(fixedClock('2019-06-01T05:00:00Z').now())).to.equal('2019-06-01 00:00:00-05:00')
  })

  it('nowLocal uses the injected Date source', () => {
    const dt = nowLocal(() => new Date('2019-11-03T07:30:00Z'))
    expect(formatPyTs(dt)).to.equal('2019-11-03 01:30:00-06:00')
  })

  it('systemClock returns the current instant in Central', () => {
    const before = Date.now()
    const now = systemClock().now()
    expect(now.zoneName).to.equal('America/Chicago')
    expect(now.toMillis()).to.be.within(before, Date.now())
  })
})
